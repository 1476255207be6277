using Npgsql;

namespace Runtype.Api.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server of the test run (an assembly fixture): the one <c>RUNTYPE_TEST_POSTGRES</c> names (a
/// connection string; <c>.ci/postgres.sh start</c> starts a throwaway cluster and prints it). Where none is named,
/// or it does not answer, nothing runs on PostgreSQL and <see cref="UnavailableReason"/> says why; the tests that need
/// it skip with that reason.
/// </summary>
public sealed class PostgreSqlServer : IAsyncLifetime
{
    public const string Variable = "RUNTYPE_TEST_POSTGRES";

    private readonly List<string> _databases = [];

    private static string? Server => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    /// <summary>Why PostgreSQL cannot be used here; null when it can.</summary>
    public string? UnavailableReason { get; private set; }

    public async ValueTask InitializeAsync() => UnavailableReason = await ProbeAsync();

    /// <summary>The connection string of a database of its own, not created yet (the service's migrator creates it).</summary>
    public string NewDatabase()
    {
        var name = $"runtype_{Guid.NewGuid():N}";
        lock (_databases)
        {
            _databases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(Server) { Database = name, Pooling = true, MaxPoolSize = 30 }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (UnavailableReason is not null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        foreach (var name in _databases)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static async Task<string?> ProbeAsync()
    {
        if (Server is not { } server)
        {
            return $"No PostgreSQL server configured: set {Variable} to a connection string (.ci/postgres.sh start prints one).";
        }

        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Timeout = 5 }.ConnectionString);
            await connection.OpenAsync();
            return null;
        }
        catch (Exception ex) when (ex is NpgsqlException or ArgumentException or TimeoutException)
        {
            return $"The PostgreSQL server in {Variable} does not answer: {ex.Message}";
        }
    }
}

/// <summary>
/// The HTTP suite on PostgreSQL: a database of its own on the run's server, created by the host's migrations at
/// start-up. Where no server is reachable the fixture starts nothing and its tests skip with the reason.
/// </summary>
public class PostgreSqlApiFixture(PostgreSqlServer server) : ApiFixture
{
    private string? _connectionString;
    private string? _skipReason;

    public override string? SkipReason => _skipReason;

    public string ConnectionString => _connectionString ?? throw new InvalidOperationException(_skipReason);

    protected override IReadOnlyDictionary<string, string?> DatabaseSettings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = "PostgreSql",
        ["ConnectionStrings:Runtype"] = _connectionString,
    };

    public override async ValueTask InitializeAsync()
    {
        if (server.UnavailableReason is { } reason)
        {
            // Not thrown: a class fixture that throws fails every test of its class; each test skips instead.
            _skipReason = reason;
            return;
        }

        _connectionString = server.NewDatabase();
        await base.InitializeAsync();
    }
}
