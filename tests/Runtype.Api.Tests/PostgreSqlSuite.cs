using Runtype.Api.Tests.Infrastructure;
using Runtype.Api.Tests.Persistence;
using Runtype.Api.Tests.Platform;
using Runtype.Api.Tests.Reliability;
using Runtype.Api.Tests.Safety;
using Runtype.Api.Tests.Security;
using Runtype.Api.Tests.Sessions;

[assembly: AssemblyFixture(typeof(PostgreSqlServer))]

namespace Runtype.Api.Tests;

// The same HTTP suite on PostgreSQL: the run's server (RUNTYPE_TEST_POSTGRES), a database per test class. Where
// no PostgreSQL server is reachable every test here is reported as skipped, with the reason.
public sealed class CreateSessionOnPostgreSql(PostgreSqlApiFixture api) : CreateSessionTests(api.RequireDatabase()), IClassFixture<PostgreSqlApiFixture>;

public sealed class ListSessionsOnPostgreSql(PostgreSqlApiFixture api) : ListSessionsTests(api.RequireDatabase()), IClassFixture<PostgreSqlApiFixture>;

public sealed class GetSessionOnPostgreSql(PostgreSqlApiFixture api) : GetSessionTests(api.RequireDatabase()), IClassFixture<PostgreSqlApiFixture>;

public sealed class UpdateSessionOnPostgreSql(PostgreSqlApiFixture api) : UpdateSessionTests(api.RequireDatabase()), IClassFixture<PostgreSqlApiFixture>;

public sealed class DeleteSessionOnPostgreSql(PostgreSqlApiFixture api) : DeleteSessionTests(api.RequireDatabase()), IClassFixture<PostgreSqlApiFixture>;

public sealed class AppendEventOnPostgreSql(PostgreSqlApiFixture api) : AppendEventTests(api.RequireDatabase()), IClassFixture<PostgreSqlApiFixture>;

public sealed class AuthenticationOnPostgreSql(PostgreSqlApiFixture api) : AuthenticationTests(api.RequireDatabase()), IClassFixture<PostgreSqlApiFixture>;

public sealed class PlatformEndpointsOnPostgreSql(PostgreSqlApiFixture api) : PlatformEndpointsTests(api.RequireDatabase()), IClassFixture<PostgreSqlApiFixture>;

public sealed class IdempotencyOnPostgreSql(PostgreSqlApiFixture api) : IdempotencyTests(api.RequireDatabase()), IClassFixture<PostgreSqlApiFixture>;

public sealed class ExpirySweepOnPostgreSql(PostgreSqlApiFixture api) : ExpirySweepTests(api.RequireDatabase()), IClassFixture<PostgreSqlApiFixture>;

public sealed class ListSessionEventsOnPostgreSql(PostgreSqlApiFixture api) : ListSessionEventsTests(api.RequireDatabase()), IClassFixture<PostgreSqlApiFixture>;

public sealed class EventStreamOnPostgreSql(PostgreSqlApiFixture api) : EventStreamTests(api.RequireDatabase()), IClassFixture<PostgreSqlApiFixture>;

public sealed class SessionChangeStreamOnPostgreSql(PostgreSqlApiFixture api) : SessionChangeStreamTests(api.RequireDatabase()), IClassFixture<PostgreSqlApiFixture>;

public sealed class ChangeFeedOnPostgreSql(CountedPostgreSqlApiFixture api) : ChangeFeedTests(api.RequireDatabase()), IClassFixture<CountedPostgreSqlApiFixture>;

public sealed class DashboardOnPostgreSql(PostgreSqlApiFixture api) : DashboardTests(api.RequireDatabase()), IClassFixture<PostgreSqlApiFixture>;

public sealed class SessionCountOnPostgreSql(PostgreSqlApiFixture api) : SessionCountTests(api.RequireDatabase()), IClassFixture<PostgreSqlApiFixture>;

public sealed class SavepointsOnPostgreSql(PostgreSqlApiFixture api) : SavepointTests(api.RequireDatabase()), IClassFixture<PostgreSqlApiFixture>;

public sealed class ScaleOutOnPostgreSql(TwoReplicasOnPostgreSql replicas)
    : ScaleOutTests(replicas.RequireDatabase()), IClassFixture<TwoReplicasOnPostgreSql>;

public sealed class StreamAcrossReplicasOnPostgreSql(TwoReplicasOnPostgreSql replicas)
    : StreamAcrossReplicasTests(replicas.RequireDatabase()), IClassFixture<TwoReplicasOnPostgreSql>;

[Collection(ReliabilityCollection.Name)]
public sealed class CrashConsistencyOnPostgreSql(PostgreSqlServer server) : CrashConsistencyTests(new PostgreSqlProcessDatabase(server));

public sealed class WebhookDeliveryOnPostgreSql(Webhooks.PostgreSqlWebhookFixture api) : Webhooks.WebhookDeliveryTests(api.RequireDatabase()), IClassFixture<Webhooks.PostgreSqlWebhookFixture>;

public sealed class WebhookClockOnPostgreSql(Webhooks.PostgreSqlWebhookFixture api) : Webhooks.WebhookClockTests(api.RequireDatabase()), IClassFixture<Webhooks.PostgreSqlWebhookFixture>;

public sealed class WebhookEndpointsOnPostgreSql(Webhooks.PostgreSqlWebhookFixture api) : Webhooks.WebhookEndpointsTests(api.RequireDatabase()), IClassFixture<Webhooks.PostgreSqlWebhookFixture>;

[Collection(ReliabilityCollection.Name)]
public sealed class WebhookProcessOnPostgreSql(PostgreSqlServer server) : Webhooks.WebhookProcessTests(new PostgreSqlProcessDatabase(server));
