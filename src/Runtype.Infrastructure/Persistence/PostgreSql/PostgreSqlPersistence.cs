using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Runtype.Application.Common.Telemetry;
using Runtype.Application.Sessions;
using Runtype.Domain.Sessions;
using Runtype.Infrastructure.Sessions;

namespace Runtype.Infrastructure.Persistence.PostgreSql;

/// <summary>PostgreSQL: the context with Npgsql's retrying execution strategy, this provider's store overrides, and LISTEN/NOTIFY for the change feed.</summary>
internal static class PostgreSqlPersistence
{
    public static IServiceCollection AddPostgreSqlPersistence(this IServiceCollection services, DatabaseOptions options)
    {
        services.AddDbContextPool<RuntypeDbContext, PostgreSqlRuntypeDbContext>(context => Configure(context, options.ConnectionString));
        services.AddSingleton<DatabaseFailures, PostgreSqlDatabaseFailures>();
        services.Replace(ServiceDescriptor.Scoped<ISessionRepository, PostgreSqlSessionRepository>());
        services.AddSingleton<ISessionChangeListener, PostgreSqlSessionChangeListener>();
        services.AddSingleton<IDeliveryClaims, PostgreSqlDeliveryClaims>();
        services.Replace(ServiceDescriptor.Scoped<DatabaseMigrator, PostgreSqlDatabaseMigrator>());
        return services;
    }

    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(WithDriverDefaults(connectionString), npgsql => npgsql.EnableRetryOnFailure()).AddInterceptors(RowLocks.Interceptor);

    /// <summary>
    /// Npgsql's two settings for an application that runs the same few statements over and over and leaves no state on
    /// a connection, unless the connection string sets them itself: <c>Max Auto Prepare</c> (a statement run a few
    /// times is prepared on its connection, so the server no longer parses and plans it, nor describes its rows, on
    /// every call) and <c>No Reset On Close</c> (a connection back in the pool is not reset: the service sets nothing on
    /// it, listens on a connection of its own, outside the pool, and a reset would also drop the prepared statements).
    /// Set <c>Max Auto Prepare=0</c> behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode
    /// before 1.21, or without <c>max_prepared_statements</c>).
    /// </summary>
    internal static string WithDriverDefaults(string connectionString)
    {
        // Npgsql takes a keyword in any case, with or without its spaces ("Max Auto Prepare", "MaxAutoPrepare").
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(key => key.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant())
            .ToHashSet(StringComparer.Ordinal);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("MAXAUTOPREPARE"))
        {
            builder.MaxAutoPrepare = MaxAutoPrepare;
        }

        if (!given.Contains("NORESETONCLOSE"))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    /// <summary>Room for every statement the service runs often, on each connection.</summary>
    internal const int MaxAutoPrepare = 64;
}

/// <summary>
/// Creates the database when it does not exist yet, and its migrations history table, then migrates. EF Core would do
/// both too, but it finds out by a connection to the database and a read of the table that fail, and logs each as an
/// error: a fresh database is not one. So the migrator asks first, on a connection of its own (PostgreSQL's 3D000: no
/// such database).
/// </summary>
internal sealed class PostgreSqlDatabaseMigrator(RuntypeDbContext db) : DatabaseMigrator(db)
{
    public override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        if (!await ExistsAsync(cancellationToken))
        {
            await Db.GetService<IRelationalDatabaseCreator>().CreateAsync(cancellationToken);
        }

        // On a database without it (new, or made empty by its administrator), EF Core would first read the history
        // table and log that failed read as an error too.
        await Db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
        await base.MigrateAsync(cancellationToken);
    }

    private async Task<bool> ExistsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(Db.Database.GetConnectionString());
            await connection.OpenAsync(cancellationToken);
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            return false;
        }
    }
}

/// <summary>
/// The read for a change takes the row's lock (<c>SELECT … FOR UPDATE</c>): a second writer of the same session waits
/// for the first to commit, then reads its result (instead of racing it to the same event sequence and retrying).
/// EF Core writes the query (compiled once per model, as the shared read for a change is); <see cref="RowLocks"/> adds
/// the locking clause to it.
/// </summary>
internal sealed class PostgreSqlSessionRepository(RuntypeDbContext db, ChangedSessions changed, TimeProvider clock, PendingMeasurements measurements)
    : SessionRepository(db, changed, clock, measurements)
{
    private static readonly CompiledPerModel<Func<RuntypeDbContext, Guid, string, CancellationToken, Task<Session?>>> ByIdForUpdate = new(() =>
        EF.CompileAsyncQuery((RuntypeDbContext db, Guid id, string userId, CancellationToken _) =>
            db.Sessions.TagWith(RowLocks.ForUpdate).FirstOrDefault(s => s.Id == id && s.UserId == userId)));

    public override Task<Session?> FindAsync(Guid id, string userId, CancellationToken cancellationToken) =>
        ByIdForUpdate.For(Db)(Db, id, userId, cancellationToken);
}

/// <summary>
/// Adds <c>FOR UPDATE</c> to the queries tagged <see cref="ForUpdate"/>, and <c>FOR UPDATE SKIP LOCKED</c> to those tagged
/// <see cref="ForUpdateSkipLocked"/> (EF Core writes a tag as a leading comment). EF Core has no locking clause of its
/// own; this is the one place one is written.
/// </summary>
internal sealed class RowLocks : DbCommandInterceptor
{
    public const string ForUpdate = "FOR UPDATE";

    public const string ForUpdateSkipLocked = "FOR UPDATE SKIP LOCKED";

    public static RowLocks Interceptor { get; } = new();

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Lock(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Lock(command);
        return ValueTask.FromResult(result);
    }

    private static void Lock(DbCommand command)
    {
        foreach (var clause in (ReadOnlySpan<string>)[ForUpdate, ForUpdateSkipLocked])
        {
            if (command.CommandText.StartsWith($"-- {clause}\n", StringComparison.Ordinal))
            {
                command.CommandText += "\n" + clause;
                return;
            }
        }
    }
}

/// <summary>
/// PostgreSQL's "not now": what Npgsql itself calls transient (lost or refused connections, timeouts, an exhausted
/// pool, serialization failures, deadlocks, insufficient resources, a server shutting down or starting), and a
/// database that cannot be opened (missing, or the login refused; as for SQL Server).
/// </summary>
internal sealed class PostgreSqlDatabaseFailures : DatabaseFailures
{
    protected override bool IsUnavailableError(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.IsTransient || postgres.SqlState is PostgresErrorCodes.InvalidCatalogName
            or PostgresErrorCodes.InvalidAuthorizationSpecification or PostgresErrorCodes.InvalidPassword
            or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
            or PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.ReadOnlySqlTransaction,
        NpgsqlException npgsql => npgsql.IsTransient,
        _ => false,
    };
}

/// <summary>Lets <c>dotnet ef</c> build the PostgreSQL model offline (no server is contacted to add or script migrations).</summary>
internal sealed class PostgreSqlDesignTimeFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<PostgreSqlRuntypeDbContext>
{
    public PostgreSqlRuntypeDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PostgreSqlRuntypeDbContext>();
        PostgreSqlPersistence.Configure(options, "Host=localhost;Database=runtype;Username=runtype");
        return new PostgreSqlRuntypeDbContext(options.Options);
    }
}
