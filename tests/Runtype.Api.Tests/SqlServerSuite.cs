using Runtype.Api.Tests.Infrastructure;
using Runtype.Api.Tests.Platform;
using Runtype.Api.Tests.Safety;
using Runtype.Api.Tests.Security;
using Runtype.Api.Tests.Sessions;

[assembly: AssemblyFixture(typeof(SqlServerContainer))]

namespace Runtype.Api.Tests;

// The same HTTP suite on SQL Server: one container per test run (Testcontainers), a database per test class. Where
// no Docker engine is reachable every test here is reported as skipped, with the reason.
public sealed class CreateSessionOnSqlServer(SqlServerApiFixture api) : CreateSessionTests(api.RequireDatabase()), IClassFixture<SqlServerApiFixture>;

public sealed class ListSessionsOnSqlServer(SqlServerApiFixture api) : ListSessionsTests(api.RequireDatabase()), IClassFixture<SqlServerApiFixture>;

public sealed class GetSessionOnSqlServer(SqlServerApiFixture api) : GetSessionTests(api.RequireDatabase()), IClassFixture<SqlServerApiFixture>;

public sealed class UpdateSessionOnSqlServer(SqlServerApiFixture api) : UpdateSessionTests(api.RequireDatabase()), IClassFixture<SqlServerApiFixture>;

public sealed class DeleteSessionOnSqlServer(SqlServerApiFixture api) : DeleteSessionTests(api.RequireDatabase()), IClassFixture<SqlServerApiFixture>;

public sealed class AppendEventOnSqlServer(SqlServerApiFixture api) : AppendEventTests(api.RequireDatabase()), IClassFixture<SqlServerApiFixture>;

public sealed class AuthenticationOnSqlServer(SqlServerApiFixture api) : AuthenticationTests(api.RequireDatabase()), IClassFixture<SqlServerApiFixture>;

public sealed class PlatformEndpointsOnSqlServer(SqlServerApiFixture api) : PlatformEndpointsTests(api.RequireDatabase()), IClassFixture<SqlServerApiFixture>;

public sealed class IdempotencyOnSqlServer(SqlServerApiFixture api) : IdempotencyTests(api.RequireDatabase()), IClassFixture<SqlServerApiFixture>;

public sealed class ExpirySweepOnSqlServer(SqlServerApiFixture api) : ExpirySweepTests(api.RequireDatabase()), IClassFixture<SqlServerApiFixture>;

public sealed class ListSessionEventsOnSqlServer(SqlServerApiFixture api) : ListSessionEventsTests(api.RequireDatabase()), IClassFixture<SqlServerApiFixture>;

public sealed class EventStreamOnSqlServer(SqlServerApiFixture api) : EventStreamTests(api.RequireDatabase()), IClassFixture<SqlServerApiFixture>;

public sealed class DashboardOnSqlServer(SqlServerApiFixture api) : DashboardTests(api.RequireDatabase()), IClassFixture<SqlServerApiFixture>;

public sealed class SessionCountOnSqlServer(SqlServerApiFixture api) : SessionCountTests(api.RequireDatabase()), IClassFixture<SqlServerApiFixture>;

public sealed class InputFormOnSqlServer(SqlServerApiFixture api) : InputFormTests(api.RequireDatabase()), IClassFixture<SqlServerApiFixture>;

public sealed class WebhookDeliveryOnSqlServer(Webhooks.SqlServerWebhookFixture api) : Webhooks.WebhookDeliveryTests(api.RequireDatabase()), IClassFixture<Webhooks.SqlServerWebhookFixture>;

public sealed class WebhookClockOnSqlServer(Webhooks.SqlServerWebhookFixture api) : Webhooks.WebhookClockTests(api.RequireDatabase()), IClassFixture<Webhooks.SqlServerWebhookFixture>;

public sealed class WebhookEndpointsOnSqlServer(Webhooks.SqlServerWebhookFixture api) : Webhooks.WebhookEndpointsTests(api.RequireDatabase()), IClassFixture<Webhooks.SqlServerWebhookFixture>;
