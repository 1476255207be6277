using Runtype.Api.Tests.Infrastructure;
using Runtype.Api.Tests.Persistence;
using Runtype.Api.Tests.Platform;
using Runtype.Api.Tests.Reliability;
using Runtype.Api.Tests.Safety;
using Runtype.Api.Tests.Security;
using Runtype.Api.Tests.Sessions;

namespace Runtype.Api.Tests;

// The HTTP suite on the embedded database: each abstract test class, bound to a SQLite file of its own.
public sealed class CreateSessionOnSqlite(SqliteApiFixture api) : CreateSessionTests(api), IClassFixture<SqliteApiFixture>;

public sealed class ListSessionsOnSqlite(SqliteApiFixture api) : ListSessionsTests(api), IClassFixture<SqliteApiFixture>;

public sealed class GetSessionOnSqlite(SqliteApiFixture api) : GetSessionTests(api), IClassFixture<SqliteApiFixture>;

public sealed class UpdateSessionOnSqlite(SqliteApiFixture api) : UpdateSessionTests(api), IClassFixture<SqliteApiFixture>;

public sealed class DeleteSessionOnSqlite(SqliteApiFixture api) : DeleteSessionTests(api), IClassFixture<SqliteApiFixture>;

public sealed class AppendEventOnSqlite(SqliteApiFixture api) : AppendEventTests(api), IClassFixture<SqliteApiFixture>;

public sealed class AuthenticationOnSqlite(SqliteApiFixture api) : AuthenticationTests(api), IClassFixture<SqliteApiFixture>;

public sealed class PlatformEndpointsOnSqlite(SqliteApiFixture api) : PlatformEndpointsTests(api), IClassFixture<SqliteApiFixture>;

public sealed class IdempotencyOnSqlite(SqliteApiFixture api) : IdempotencyTests(api), IClassFixture<SqliteApiFixture>;

public sealed class ExpirySweepOnSqlite(SqliteApiFixture api) : ExpirySweepTests(api), IClassFixture<SqliteApiFixture>;

public sealed class ListSessionEventsOnSqlite(SqliteApiFixture api) : ListSessionEventsTests(api), IClassFixture<SqliteApiFixture>;

public sealed class EventStreamOnSqlite(SqliteApiFixture api) : EventStreamTests(api), IClassFixture<SqliteApiFixture>;

public sealed class SessionChangeStreamOnSqlite(SqliteApiFixture api) : SessionChangeStreamTests(api), IClassFixture<SqliteApiFixture>;

public sealed class ChangeFeedOnSqlite(CountedSqliteApiFixture api) : ChangeFeedTests(api), IClassFixture<CountedSqliteApiFixture>;

public sealed class DashboardOnSqlite(SqliteApiFixture api) : DashboardTests(api), IClassFixture<SqliteApiFixture>;

public sealed class SessionCountOnSqlite(SqliteApiFixture api) : SessionCountTests(api), IClassFixture<SqliteApiFixture>;

public sealed class SavepointsOnSqlite(SqliteApiFixture api) : SavepointTests(api), IClassFixture<SqliteApiFixture>;

public sealed class ScaleOutOnSqlite(TwoReplicasOnSqlite replicas) : ScaleOutTests(replicas), IClassFixture<TwoReplicasOnSqlite>;

public sealed class StreamAcrossReplicasOnSqlite(TwoReplicasOnSqlite replicas) : StreamAcrossReplicasTests(replicas), IClassFixture<TwoReplicasOnSqlite>;

[Collection(ReliabilityCollection.Name)]
public sealed class CrashConsistencyOnSqlite() : CrashConsistencyTests(new SqliteProcessDatabase());

public sealed class InputFormOnSqlite(SqliteApiFixture api) : InputFormTests(api), IClassFixture<SqliteApiFixture>;

public sealed class WebhookDeliveryOnSqlite(Webhooks.SqliteWebhookFixture api) : Webhooks.WebhookDeliveryTests(api), IClassFixture<Webhooks.SqliteWebhookFixture>;

public sealed class WebhookClockOnSqlite(Webhooks.SqliteWebhookFixture api) : Webhooks.WebhookClockTests(api), IClassFixture<Webhooks.SqliteWebhookFixture>;

public sealed class WebhookEndpointsOnSqlite(Webhooks.SqliteWebhookFixture api) : Webhooks.WebhookEndpointsTests(api), IClassFixture<Webhooks.SqliteWebhookFixture>;

[Collection(ReliabilityCollection.Name)]
public sealed class WebhookProcessOnSqlite() : Webhooks.WebhookProcessTests(new SqliteProcessDatabase());
