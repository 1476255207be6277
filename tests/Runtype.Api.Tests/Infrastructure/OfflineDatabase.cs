using System.Data;
using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Application;
using Runtype.Infrastructure;
using Runtype.Infrastructure.Persistence;
using Runtype.Infrastructure.Persistence.SqlServer;

namespace Runtype.Api.Tests.Infrastructure;

/// <summary>
/// The host's own infrastructure registrations for one provider, with a connection string that is never opened:
/// enough to inspect the model and script the migrations of a database that is not there.
/// </summary>
public sealed class OfflineDatabase : IDisposable
{
    public const string SqlServerConnectionString =
        "Server=tcp:runtype-db.invalid,1433;Database=runtype;User Id=runtype;Password=unused;Encrypt=True;TrustServerCertificate=True";

    public const string PostgreSqlConnectionString = "Host=runtype-db.invalid;Database=runtype;Username=runtype;Password=unused";

    private readonly ServiceProvider _services;
    private readonly AsyncServiceScope _scope;

    private OfflineDatabase(DatabaseProvider provider, Action<IServiceCollection>? configure)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Provider"] = provider.ToString(),
                ["ConnectionStrings:Runtype"] = provider switch
                {
                    DatabaseProvider.SqlServer => SqlServerConnectionString,
                    DatabaseProvider.PostgreSql => PostgreSqlConnectionString,
                    _ => "Data Source=:memory:",
                },
            })
            .Build();
        // The application's services too: the stores record the measurements of what they save (PendingMeasurements).
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddSingleton(TimeProvider.System).AddMetrics().AddApplication().AddInfrastructure(configuration);
        configure?.Invoke(services);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        _scope = _services.CreateAsyncScope();
    }

    public IServiceProvider Services => _scope.ServiceProvider;

    /// <summary>The context the host would use for this provider.</summary>
    public RuntypeDbContext Context => Services.GetRequiredService<RuntypeDbContext>();

    public static OfflineDatabase For(DatabaseProvider provider) => new(provider, configure: null);

    /// <summary>SQL Server as the host configures it (retries included), talking to <paramref name="server"/> instead of a server.</summary>
    public static OfflineDatabase ForSqlServer(ScriptedSqlServer server) =>
        new(DatabaseProvider.SqlServer, services => services.ConfigureDbContext<SqlServerRuntypeDbContext>(options => options.AddInterceptors(server)));

    public void Dispose()
    {
        _scope.Dispose();
        _services.Dispose();
    }
}

/// <summary>
/// Stands in for SQL Server below EF Core: connections "open" without a server, every command is recorded and
/// answers with no rows, and the first <see cref="TransientFaults"/> commands fail as a network timeout would.
/// </summary>
public sealed class ScriptedSqlServer : DbConnectionInterceptor, IDbCommandInterceptor
{
    private readonly List<RecordedCommand> _commands = [];
    private readonly Lock _lock = new();

    /// <summary>How many of the next commands fail with a transient fault before any succeeds.</summary>
    public int TransientFaults { get; set; }

    public IReadOnlyList<RecordedCommand> Commands
    {
        get
        {
            lock (_lock)
            {
                return [.. _commands];
            }
        }
    }

    public override InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
        InterceptionResult.Suppress();

    public override ValueTask<InterceptionResult> ConnectionOpeningAsync(
        DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(InterceptionResult.Suppress());

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Execute(command);
        return InterceptionResult<DbDataReader>.SuppressWithResult(NoRows());
    }

    public ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(ReaderExecuting(command, eventData, result));

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Execute(command);
        return InterceptionResult<int>.SuppressWithResult(1);
    }

    public ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(NonQueryExecuting(command, eventData, result));

    /// <summary>An empty result as wide as any query of the model (the retrying strategy buffers results and checks their width).</summary>
    private static DataTableReader NoRows()
    {
        var table = new DataTable();
        for (var i = 0; i < 64; i++)
        {
            table.Columns.Add($"c{i}", typeof(object));
        }

        return table.CreateDataReader();
    }

    private void Execute(DbCommand command)
    {
        lock (_lock)
        {
            _commands.Add(new RecordedCommand(
                command.CommandText,
                command.Parameters.Cast<SqlParameter>().ToDictionary(p => p.ParameterName, p => p.SqlDbType, StringComparer.Ordinal)));
            if (TransientFaults > 0)
            {
                TransientFaults--;

                // SQL Server's transient-fault detector retries a TimeoutException like a dropped connection.
                throw new TimeoutException("Simulated transient fault.");
            }
        }
    }
}

/// <summary>A command as it reached the "server": its text and the SQL type of each parameter.</summary>
public sealed record RecordedCommand(string Text, IReadOnlyDictionary<string, SqlDbType> Parameters);
