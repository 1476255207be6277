using Microsoft.EntityFrameworkCore;
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

    /// <summary>Sessions read to be changed in the current transaction (see <see cref="SqlServerRuntypeDbContext"/>).</summary>
    internal virtual IQueryable<Session> SessionsForUpdate => Sessions;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new SessionConfiguration());
        modelBuilder.ApplyConfiguration(new SessionEventConfiguration());
        modelBuilder.ApplyConfiguration(new ApiKeyConfiguration());
        SnakeCaseNames.Apply(modelBuilder);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Ids are written as lowercase UUID text on both providers, so "id desc" orders the same everywhere
        // (and, for UUIDv7, in creation order).
        configurationBuilder.Properties<Guid>().HaveConversion<string>().HaveMaxLength(36).AreUnicode(false).AreFixedLength();
    }
}

/// <summary>SQLite: timestamps are INTEGER milliseconds since the Unix epoch (UTC), compact and cheap to index.</summary>
public sealed class SqliteRuntypeDbContext(DbContextOptions<SqliteRuntypeDbContext> options) : RuntypeDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        configurationBuilder.Properties<DateTime>().HaveConversion<UnixMillisecondsConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UnixMillisecondsConverter>();
    }
}

/// <summary>
/// SQL Server: timestamps are <c>datetime2(3)</c> in UTC, read back as <see cref="DateTimeKind.Utc"/>; owner ids
/// compare case-sensitively, as on SQLite; a session loaded for a change is locked until the transaction ends.
/// </summary>
public sealed class SqlServerRuntypeDbContext(DbContextOptions<SqlServerRuntypeDbContext> options) : RuntypeDbContext(options)
{
    /// <summary>
    /// Binary comparison for the ids of the identity provider. The server default (e.g. SQL_Latin1_General_CP1_CI_AS)
    /// ignores case, which would let user "Alice" read the sessions of user "alice".
    /// </summary>
    public const string OwnerIdCollation = "Latin1_General_100_BIN2";

    /// <summary>
    /// Writers of one session queue on its row (an update lock taken by the read) instead of racing to the same event
    /// sequence and failing; the version token still guards every save.
    /// </summary>
    internal override IQueryable<Session> SessionsForUpdate => Sessions.FromSql($"SELECT * FROM [sessions] WITH (UPDLOCK, ROWLOCK)");

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(e => e.GetProperties()))
        {
            if (property.Name is nameof(Session.UserId) or nameof(Session.OrganizationId))
            {
                property.SetCollation(OwnerIdCollation);
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
