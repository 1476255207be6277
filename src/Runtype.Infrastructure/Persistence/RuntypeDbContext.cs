using Microsoft.EntityFrameworkCore;
using Runtype.Application.Common.Idempotency;
using Runtype.Domain.ApiKeys;
using Runtype.Domain.Sessions;
using Runtype.Infrastructure.Persistence.Configurations;

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

    /// <summary>
    /// The caller's session, read for a change. The read happens inside the write transaction, so on providers
    /// that can, it takes the row's update lock: concurrent writers of one session queue instead of conflicting.
    /// </summary>
    internal virtual IQueryable<Session> SessionForUpdate(Guid id, string userId) =>
        Sessions.Where(s => s.Id == id && s.UserId == userId);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new SessionConfiguration());
        modelBuilder.ApplyConfiguration(new SessionEventConfiguration());
        modelBuilder.ApplyConfiguration(new ApiKeyConfiguration());
        modelBuilder.ApplyConfiguration(new IdempotencyRecordConfiguration());
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
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        configurationBuilder.Properties<DateTime>().HaveConversion<UnixMillisecondsConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UnixMillisecondsConverter>();
    }
}

/// <summary>SQL Server: timestamps are <c>datetime2(3)</c> in UTC, read back as <see cref="DateTimeKind.Utc"/>.</summary>
public sealed class SqlServerRuntypeDbContext(DbContextOptions<SqlServerRuntypeDbContext> options) : RuntypeDbContext(options)
{
    /// <summary>UPDLOCK: a second writer of the same session waits for the first to commit, then reads its result.</summary>
    internal override IQueryable<Session> SessionForUpdate(Guid id, string userId) =>
        Sessions.FromSql($"SELECT * FROM [sessions] WITH (UPDLOCK, ROWLOCK) WHERE [id] = {id.ToString()} AND [user_id] = {userId}");

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>().HavePrecision(3);
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>().HavePrecision(3);
    }
}
