using Microsoft.EntityFrameworkCore;
using Runtype.Application.Common.Idempotency;
using Runtype.Domain.ApiKeys;
using Runtype.Domain.Sessions;
using Runtype.Domain.Webhooks;
using Runtype.Infrastructure.Persistence.Configurations;
using Runtype.Infrastructure.Sessions;

namespace Runtype.Infrastructure.Persistence;

/// <summary>
/// The one EF Core model. Each database provider has a subclass that carries its column-type conventions and
/// owns its migrations (<see cref="SqliteRuntypeDbContext"/>, <see cref="SqlServerRuntypeDbContext"/>).
/// </summary>
public abstract class RuntypeDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Session> Sessions => Set<Session>();

    public DbSet<SessionEvent> SessionEvents => Set<SessionEvent>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    internal DbSet<SessionCount> SessionCounts => Set<SessionCount>();

    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();

    public DbSet<WebhookMessage> WebhookMessages => Set<WebhookMessage>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    /// <summary>
    /// The caller's session, read (and tracked) for a change. The read happens inside the write transaction, so on
    /// providers that can, it takes the row's update lock: concurrent writers of one session queue instead of
    /// conflicting (SQL Server). Here a compiled query, which SQLite, where the transaction already holds the database's
    /// write lock, replaces by a read by hand.
    /// </summary>
    internal virtual Task<Session?> FindSessionForUpdateAsync(Guid id, string userId, CancellationToken cancellationToken) =>
        TrackedSessionById.For(this)(this, id, userId, cancellationToken);

    private static readonly CompiledPerModel<Func<RuntypeDbContext, Guid, string, CancellationToken, Task<Session?>>> TrackedSessionById = new(() =>
        EF.CompileAsyncQuery((RuntypeDbContext db, Guid id, string userId, CancellationToken _) =>
            db.Sessions.FirstOrDefault(s => s.Id == id && s.UserId == userId)));

    /// <summary>
    /// Saves the unit: the tracked sessions, the events appended to them (added to the context here) and anything else
    /// tracked. A session changed or deleted since it was read throws <see cref="DbUpdateConcurrencyException"/>.
    /// </summary>
    internal virtual Task SaveSessionsAsync(CancellationToken cancellationToken)
    {
        foreach (var entry in ChangeTracker.Entries<Session>())
        {
            foreach (var appended in entry.Entity.NewEvents)
            {
                if (Entry(appended).State == EntityState.Detached)
                {
                    SessionEvents.Add(appended);
                }
            }
        }

        return SaveChangesAsync(cancellationToken);
    }

    /// <summary>The key with this id, not tracked: every authenticated call looks its key up.</summary>
    internal virtual Task<ApiKey?> FindApiKeyAsync(string id, CancellationToken cancellationToken) =>
        ApiKeyById.For(this)(this, id, cancellationToken);

    private static readonly CompiledPerModel<Func<RuntypeDbContext, string, CancellationToken, Task<ApiKey?>>> ApiKeyById = new(() =>
        EF.CompileAsyncQuery((RuntypeDbContext db, string id, CancellationToken _) => db.ApiKeys.AsNoTracking().FirstOrDefault(k => k.Id == id)));

    /// <summary>
    /// The sessions a page of one owner's sessions in one status is read from (newest first): the database's own
    /// choice of index, except where a provider needs to be told (SQLite).
    /// </summary>
    internal virtual IQueryable<Session> SessionsForStatusPage => Sessions;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new SessionConfiguration());
        modelBuilder.ApplyConfiguration(new SessionEventConfiguration());
        modelBuilder.ApplyConfiguration(new ApiKeyConfiguration());
        modelBuilder.ApplyConfiguration(new IdempotencyRecordConfiguration());
        modelBuilder.ApplyConfiguration(new SessionCountConfiguration());
        modelBuilder.ApplyConfiguration(new WebhookEndpointConfiguration());
        modelBuilder.ApplyConfiguration(new WebhookMessageConfiguration());
        modelBuilder.ApplyConfiguration(new WebhookDeliveryConfiguration());
        SnakeCaseNames.Apply(modelBuilder);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Ids are written as lowercase UUID text on both providers, so "id desc" orders the same everywhere
        // (and, for UUIDv7, in creation order).
        configurationBuilder.Properties<Guid>().HaveConversion<string>().HaveMaxLength(36).AreUnicode(false).AreFixedLength();
    }
}

/// <summary>
/// SQLite: timestamps are INTEGER milliseconds since the Unix epoch (UTC), compact and cheap to index. Writers are
/// serialized by the database (transactions begin IMMEDIATE), so reads for a change need no lock hint.
/// </summary>
public sealed class SqliteRuntypeDbContext(DbContextOptions<SqliteRuntypeDbContext> options) : RuntypeDbContext(options)
{
    /// <summary>
    /// <c>INDEXED BY</c> the owner-status-newest index, walked in order until the page is full. Without statistics
    /// SQLite prefers the sweeper's (status, expires_at, user_id) index for the <c>expires_at &gt; now</c> term, reads
    /// every session of that status of every user and sorts them: 3 requests/s instead of thousands with a million
    /// sessions in the table (docs/performance.md).
    /// </summary>
    internal override IQueryable<Session> SessionsForStatusPage =>
        Sessions.FromSql($"SELECT * FROM \"sessions\" INDEXED BY \"ix_sessions_user_status_created\"");

    private const string ApiKeySql = $"SELECT {SqliteRows.ApiKeyColumns} FROM \"api_keys\" WHERE \"id\" = @id LIMIT 1";

    /// <summary>Read by hand (<see cref="SqliteRows"/>).</summary>
    internal override Task<ApiKey?> FindApiKeyAsync(string id, CancellationToken cancellationToken)
    {
        using var connection = SqliteRows.Connection.Of(this);
        using var command = connection.Command(ApiKeySql);
        command.Parameters.AddWithValue("@id", id);
        using var reader = command.ExecuteReader();
        return Task.FromResult(reader.Read() ? SqliteRows.ApiKey(reader) : null);
    }

    /// <summary>
    /// Read by hand (<see cref="SqliteRows"/>) and attached to be tracked as read: this read runs inside the write turn,
    /// where every microsecond is one all writers wait for. A session this context already tracks is read as EF Core
    /// reads it (the tracked instance).
    /// </summary>
    internal override Task<Session?> FindSessionForUpdateAsync(Guid id, string userId, CancellationToken cancellationToken)
    {
        if (Sessions.Local.FindEntry(id) is not null)
        {
            return base.FindSessionForUpdateAsync(id, userId, cancellationToken);
        }

        var session = SqliteRows.FindSession(this, id, userId);
        if (session is not null)
        {
            Sessions.Attach(session);
        }

        return Task.FromResult(session);
    }

    /// <summary>
    /// A unit of sessions and their events is written by hand (<see cref="SqliteSessionWrites"/>); anything else tracked
    /// with them (an idempotency record, a key) goes through EF Core's SaveChanges with the rest, as everywhere.
    /// </summary>
    internal override Task SaveSessionsAsync(CancellationToken cancellationToken)
    {
        var sessions = ChangeTracker.Entries<Session>().ToList();
        if (!SqliteSessionWrites.CanSave(this, sessions))
        {
            return base.SaveSessionsAsync(cancellationToken);
        }

        SqliteSessionWrites.Save(this, sessions);
        return Task.CompletedTask;
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        configurationBuilder.Properties<DateTime>().HaveConversion<UnixMillisecondsConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UnixMillisecondsConverter>();
    }
}

/// <summary>
/// SQL Server: timestamps are <c>datetime2(3)</c> in UTC, read back as <see cref="DateTimeKind.Utc"/>; identifiers
/// compare case-sensitively, as on SQLite; a session loaded for a change is locked until the transaction ends.
/// </summary>
public sealed class SqlServerRuntypeDbContext(DbContextOptions<SqlServerRuntypeDbContext> options) : RuntypeDbContext(options)
{
    /// <summary>
    /// Binary comparison for identifiers clients choose or the identity provider issues: owner ids and idempotency
    /// keys compare as they do on SQLite. The server default (e.g. SQL_Latin1_General_CP1_CI_AS) ignores case, which
    /// would let user "Alice" read the sessions of user "alice", and replay key "A1" for key "a1".
    /// </summary>
    public const string IdentifierCollation = "Latin1_General_100_BIN2";

    /// <summary>
    /// UPDLOCK: a second writer of the same session waits for the first to commit, then reads its result (instead of
    /// racing it to the same event sequence). The filter is composed by EF, not written into the SQL, so its
    /// parameters are typed as their columns (<c>char(36)</c> for the id) and the lookup seeks the primary key: an
    /// <c>nvarchar</c> id would be converted row by row, scanning, and locking, the whole table.
    /// </summary>
    internal override Task<Session?> FindSessionForUpdateAsync(Guid id, string userId, CancellationToken cancellationToken) =>
        Sessions.FromSql($"SELECT * FROM [sessions] WITH (UPDLOCK, ROWLOCK)").Where(s => s.Id == id && s.UserId == userId).FirstOrDefaultAsync(cancellationToken);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(e => e.GetProperties()))
        {
            if (property.Name is nameof(Session.UserId) or nameof(Session.OrganizationId)
                || (property.DeclaringType.ClrType == typeof(IdempotencyRecord) && property.Name == nameof(IdempotencyRecord.Key)))
            {
                property.SetCollation(IdentifierCollation);
            }
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>().HavePrecision(3);
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>().HavePrecision(3);
    }
}
