using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Runtype.Application.Common.Telemetry;
using Runtype.Application.Sessions;
using Runtype.Domain.Sessions;
using Runtype.Infrastructure.Sessions;

namespace Runtype.Infrastructure.Persistence.SqlServer;

/// <summary>SQL Server: the context with EF Core's retrying execution strategy, and this provider's store overrides.</summary>
internal static class SqlServerPersistence
{
    public static IServiceCollection AddSqlServerPersistence(this IServiceCollection services, DatabaseOptions options)
    {
        services.AddDbContextPool<RuntypeDbContext, SqlServerRuntypeDbContext>(context => Configure(context, options.ConnectionString));
        services.AddSingleton<DatabaseFailures, SqlServerDatabaseFailures>();
        services.Replace(ServiceDescriptor.Scoped<ISessionRepository, SqlServerSessionRepository>());
        services.AddSingleton<IDeliveryClaims, SqlServerDeliveryClaims>();
        return services;
    }

    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseSqlServer(connectionString, sql => sql.EnableRetryOnFailure());
}

/// <summary>
/// The read for a change takes the row's update lock (<c>UPDLOCK, ROWLOCK</c>): a second writer of the same session
/// waits for the first to commit, then reads its result (instead of racing it to the same event sequence). The filter
/// is composed by EF, not written into the SQL, so its parameters are typed as their columns (<c>char(36)</c> for the
/// id) and the lookup seeks the primary key: an <c>nvarchar</c> id would be converted row by row, scanning, and
/// locking, the whole table.
/// </summary>
internal sealed class SqlServerSessionRepository(RuntypeDbContext db, ChangedSessions changed, TimeProvider clock, PendingMeasurements measurements)
    : SessionRepository(db, changed, clock, measurements)
{
    public override Task<Session?> FindAsync(Guid id, string userId, CancellationToken cancellationToken) =>
        Db.Sessions.FromSql($"SELECT * FROM [sessions] WITH (UPDLOCK, ROWLOCK)")
            .FirstOrDefaultAsync(s => s.Id == id && s.UserId == userId, cancellationToken);
}

/// <summary>
/// SQL Server's "not now": timeouts, deadlock victim, lost or refused connections, database unavailable or over its
/// limits (roughly the set EF Core's retrying strategy also retries), and an exhausted connection pool.
/// </summary>
internal sealed class SqlServerDatabaseFailures : DatabaseFailures
{
    private static readonly int[] UnavailableNumbers =
        [-2, 2, 53, 64, 121, 233, 1205, 1222, 4060, 4221, 10053, 10054, 10060, 10928, 10929, 18456, 40143, 40197, 40501, 40540, 40613, 42108, 42109, 49918, 49919, 49920];

    protected override bool IsUnavailableError(Exception exception) => exception switch
    {
        SqlException sql => sql.Class >= 20 || Array.IndexOf(UnavailableNumbers, sql.Number) >= 0,
        InvalidOperationException => exception.Message.Contains("obtaining a connection from the pool", StringComparison.Ordinal),
        _ => false,
    };
}

/// <summary>Lets <c>dotnet ef</c> build the SQL Server model offline (no server is contacted to add or script migrations).</summary>
internal sealed class SqlServerDesignTimeFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<SqlServerRuntypeDbContext>
{
    public SqlServerRuntypeDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqlServerRuntypeDbContext>();
        SqlServerPersistence.Configure(options, "Server=localhost;Database=runtype;Integrated Security=true;TrustServerCertificate=true");
        return new SqlServerRuntypeDbContext(options.Options);
    }
}
