using Npgsql;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Persistence;

/// <summary>
/// On PostgreSQL a status change locks two <c>session_counts</c> rows (the old status's and the new one's). They must
/// be taken in one order whichever way the change goes, or two opposite changes of one user's sessions at once
/// (planning → generating beside generating → planning) deadlock: each holds one row and waits for the other
/// (bench/run.sh met it under load; PostgreSQL fails one of them after a second). Checked here step by step: the
/// lower row is held by another transaction; the change must wait on it before it has locked the other one.
/// </summary>
public sealed class PostgreSqlCountLockOrderTests(PostgreSqlApiFixture fixture) : IClassFixture<PostgreSqlApiFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private readonly ApiFixture _api = fixture.RequireDatabase();

    [Theory]
    [InlineData("planning", "generating")]
    [InlineData("generating", "planning")]
    public async Task A_status_change_locks_the_lower_count_row_first(string from, string to)
    {
        var user = await _api.CreateUserAsync();
        var moving = await user.Client.CreateSessionInStatusAsync(from == "planning" ? ["planning"] : ["planning", "generating"]);
        await user.Client.CreateSessionInStatusAsync(to == "planning" ? ["planning"] : ["planning", "generating"]); // both count rows exist
        var (lower, higher) = string.CompareOrdinal(from, to) < 0 ? (from, to) : (to, from);

        await using var holder = await OpenAsync();
        await using var holding = await holder.BeginTransactionAsync(Token);
        await LockCountAsync(holder, user.UserId, lower, wait: true);

        await using var changer = await OpenAsync();
        var change = ExecuteAsync(changer, $"UPDATE sessions SET status = '{to}' WHERE id = '{moving}'");
        bool higherWasFree;
        try
        {
            await WaitUntilBlockedAsync(changer.ProcessID);

            // The change waits on the lower row: it must not hold the higher one yet.
            await using var other = await OpenAsync();
            await using var probing = await other.BeginTransactionAsync(Token);
            higherWasFree = await TryLockCountAsync(other, user.UserId, higher);
            await probing.RollbackAsync(Token);
        }
        finally
        {
            await holding.RollbackAsync(Token);
        }

        Assert.Equal(1, await change);
        Assert.True(higherWasFree, $"{from} -> {to} locked the '{higher}' count row before waiting on the '{lower}' one: opposite changes can deadlock.");
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync(Token);
        return connection;
    }

    /// <summary>Locks the count row (waiting for it), or with <paramref name="wait"/> false tells whether it was free.</summary>
    private static async Task<bool> LockCountAsync(NpgsqlConnection connection, string userId, string status, bool wait)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT total FROM session_counts WHERE user_id = @user AND status = @status FOR UPDATE{(wait ? "" : " NOWAIT")}", connection);
        command.Parameters.AddWithValue("user", userId);
        command.Parameters.AddWithValue("status", status);
        try
        {
            Assert.NotNull(await command.ExecuteScalarAsync(Token));
            return true;
        }
        catch (PostgresException ex) when (!wait && ex.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            return false;
        }
    }

    private static Task<bool> TryLockCountAsync(NpgsqlConnection connection, string userId, string status) =>
        LockCountAsync(connection, userId, status, wait: false);

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync(Token);
    }

    private async Task WaitUntilBlockedAsync(int processId)
    {
        await using var observer = await OpenAsync();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            await using var command = new NpgsqlCommand("SELECT wait_event_type FROM pg_stat_activity WHERE pid = @pid", observer);
            command.Parameters.AddWithValue("pid", processId);
            if (await command.ExecuteScalarAsync(Token) is "Lock")
            {
                return;
            }

            await Task.Delay(25, Token);
        }

        Assert.Fail("The status change never waited on the held count row.");
    }
}
