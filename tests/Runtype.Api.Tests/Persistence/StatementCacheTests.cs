using System.Data;
using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Infrastructure.Persistence.Sqlite;

namespace Runtype.Api.Tests.Persistence;

/// <summary>
/// SQLite connections that keep their compiled statements between API calls: a text runs again without being compiled
/// again, with its new parameters, inside or outside a transaction; nested, failed and re-planned statements still run
/// right; and a connection comes back to the leases only clean.
/// </summary>
public sealed class StatementCacheTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "runtype-tests", Guid.NewGuid().ToString("N"));
    private readonly string _file;
    private readonly StatementCachingSqliteConnection _connection;

    public StatementCacheTests()
    {
        Directory.CreateDirectory(_folder);
        _file = Path.Combine(_folder, "cache.db");
        _connection = new StatementCachingSqliteConnection($"Data Source={_file};Pooling=False");
        _connection.Open();
        Run("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
        Run("INSERT INTO t (id, name) VALUES (1, 'one'), (2, 'two'), (3, 'three')");
    }

    [Fact]
    public void A_text_run_again_reuses_its_statement_with_the_new_parameters()
    {
        var before = _connection.CachedStatementCount;

        Assert.Equal("one", NameOf(1));
        Assert.Equal("two", NameOf(2));
        Assert.Equal("three", NameOf(3));
        Assert.Null(NameOf(4));

        Assert.Equal(before + 1, _connection.CachedStatementCount);
    }

    [Fact]
    public void The_same_text_nested_in_its_own_open_reader_runs_on_a_statement_of_its_own()
    {
        using var outer = Command("SELECT name FROM t WHERE id >= $id ORDER BY id", ("$id", 1L));
        using var reader = outer.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            using var inner = Command("SELECT name FROM t WHERE id >= $id ORDER BY id", ("$id", 3L));
            names.Add(reader.GetString(0) + ":" + inner.ExecuteScalar());
        }

        Assert.Equal(["one:three", "two:three", "three:three"], names);
    }

    [Fact]
    public void A_statement_that_failed_runs_again_and_a_rolled_back_write_leaves_nothing()
    {
        const string Insert = "INSERT INTO t (id, name) VALUES ($id, $name)";
        using (var transaction = _connection.BeginTransaction())
        {
            Assert.Throws<SqliteException>(() => Command(Insert, ("$id", 10L), ("$name", "one")).ExecuteNonQuery());
            Assert.Equal(1, Command(Insert, ("$id", 11L), ("$name", "eleven")).ExecuteNonQuery());
            Assert.False(_connection.IsClean());
            transaction.Rollback();
        }

        Assert.True(_connection.IsClean());
        Assert.Null(NameOf(11));
        Assert.Equal(1, Command(Insert, ("$id", 12L), ("$name", "twelve")).ExecuteNonQuery());
        Assert.Equal("twelve", NameOf(12));
    }

    [Fact]
    public void A_statement_compiled_before_a_schema_change_runs_on_the_new_schema()
    {
        Assert.Equal("one", NameOf(1));

        Run("ALTER TABLE t ADD COLUMN extra TEXT");
        Run("CREATE INDEX ix_t_extra ON t (extra)");
        using (var other = new SqliteConnection($"Data Source={_file};Pooling=False"))
        {
            other.Open();
            using var drop = other.CreateCommand();
            drop.CommandText = "DROP TABLE t; CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO t VALUES (1, 'uno');";
            drop.ExecuteNonQuery();
        }

        Assert.Equal("uno", NameOf(1));
    }

    [Fact]
    public void A_reader_left_open_makes_the_connection_unfit_to_lend_again()
    {
        var command = Command("SELECT name FROM t ORDER BY id");
        var reader = command.ExecuteReader();
        Assert.True(reader.Read());

        Assert.False(_connection.IsClean());
        reader.Dispose();
        Assert.True(_connection.IsClean());
    }

    [Fact]
    public void Past_its_bound_the_cache_compiles_as_any_connection_would()
    {
        for (var i = 0; i < StatementCachingSqliteConnection.MaxStatements + 10; i++)
        {
            Assert.Equal((long)i, Command($"SELECT {i}").ExecuteScalar());
        }

        Assert.Equal(StatementCachingSqliteConnection.MaxStatements, _connection.CachedStatementCount);
        Assert.Equal("two", NameOf(2));
    }

    [Fact]
    public async Task Leases_take_back_clean_connections_only_and_fail_like_an_open_when_the_file_is_gone()
    {
        using var leases = new SqliteConnectionLeases(new SqliteDatabase($"Data Source={_file}", $"Data Source={_file}", _file));

        // A loan that leaves none idle has the next one opened ahead, in the background.
        var first = await leases.RentAsync(TestContext.Current.CancellationToken);
        await WaitForIdleAsync(leases, 1);
        leases.Return(first);
        Assert.Equal(2, leases.IdleCount);
        Assert.Same(first, await leases.RentAsync(TestContext.Current.CancellationToken)); // the last one back goes out first

        using (var open = first.BeginTransaction())
        {
            using var write = first.CreateCommand();
            write.CommandText = "INSERT INTO t (id, name) VALUES (20, 'twenty')";
            write.ExecuteNonQuery();
            leases.Return(first); // a transaction still open: closed (rolled back), not lent again
        }

        Assert.Equal(1, leases.IdleCount); // the one opened ahead
        Assert.Equal(ConnectionState.Closed, first.State);
        Assert.Null(NameOf(20));

        leases.Return(await leases.RentAsync(TestContext.Current.CancellationToken));
        await WaitForIdleAsync(leases, 2); // no open in flight when the file goes
        SqliteConnection.ClearAllPools();
        _connection.Close();
        File.Move(_file, _file + ".moved");
        var missing = await Assert.ThrowsAsync<SqliteException>(() => leases.RentAsync(TestContext.Current.CancellationToken));
        Assert.Equal(14, missing.SqliteErrorCode);
        Assert.Equal(0, leases.IdleCount);
    }

    [Fact]
    public async Task Calls_that_arrive_together_and_hold_their_connections_each_get_one_within_the_timeout()
    {
        // A call that takes the one an open made for another must not leave the others waiting with no open in flight:
        // such a waiter waits out the whole timeout, however long it is, so a generous one keeps a busy machine out of it.
        using var leases = new SqliteConnectionLeases(new SqliteDatabase($"Data Source={_file};Default Timeout=10", $"Data Source={_file}", _file));
        var held = new List<StatementCachingSqliteConnection>();
        for (var round = 0; round < 10; round++)
        {
            var rented = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(() => leases.RentAsync(TestContext.Current.CancellationToken))));
            Assert.Equal(rented.Length, rented.Distinct().Count());
            held.AddRange(rented);
        }

        Assert.All(held, c => Assert.Equal(ConnectionState.Open, c.State));
        foreach (var connection in held)
        {
            connection.Dispose();
        }
    }

    private static async Task WaitForIdleAsync(SqliteConnectionLeases leases, int count)
    {
        for (var i = 0; i < 250 && leases.IdleCount < count; i++)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Equal(count, leases.IdleCount);
    }

    private string? NameOf(long id) => (string?)Command("SELECT name FROM t WHERE id = $id", ("$id", id)).ExecuteScalar();

    private void Run(string sql) => Command(sql).ExecuteNonQuery();

    private SqliteCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    public void Dispose()
    {
        _connection.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>The host lends its API calls connections that keep their statements: after calls, they are idle, open and compiled.</summary>
public sealed class LeasedConnectionTests(SqliteApiFixture api) : IClassFixture<SqliteApiFixture>
{
    [Fact]
    public async Task Calls_return_their_connections_open_with_their_statements_compiled()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        for (var i = 0; i < 3; i++)
        {
            using var get = await user.Client.GetAsync($"{Wire.Sessions}/{id}", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            using var list = await user.Client.GetAsync($"{Wire.Sessions}?limit=20", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        }

        // The call's connection and the one opened ahead of the next call.
        var leases = api.Services.GetRequiredService<SqliteConnectionLeases>();
        for (var i = 0; i < 100 && leases.IdleCount < 2; i++)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken); // the in-memory server answers before the pipeline unwinds
        }

        var idle = new List<StatementCachingSqliteConnection>();
        try
        {
            for (var count = leases.IdleCount; idle.Count < count;)
            {
                idle.Add(await leases.RentAsync(TestContext.Current.CancellationToken));
            }

            Assert.All(idle, connection => Assert.Equal(ConnectionState.Open, connection.State));
            Assert.True(idle.Max(c => c.CachedStatementCount) >= 3, $"statements kept: {string.Join(", ", idle.Select(c => c.CachedStatementCount))}");
        }
        finally
        {
            idle.ForEach(leases.Return);
        }
    }
}
