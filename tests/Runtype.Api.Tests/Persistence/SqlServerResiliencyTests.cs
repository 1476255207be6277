using System.Data;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Application.ApiKeys;
using Runtype.Application.Sessions;

namespace Runtype.Api.Tests.Persistence;

/// <summary>
/// SQL Server as the host configures it (retry on transient faults), driven without a server: the statements that
/// run outside a command's transaction are retried by the execution strategy, and a session read for a change
/// locks its row.
/// </summary>
public sealed class SqlServerResiliencyTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Recording_a_key_use_survives_a_transient_fault()
    {
        var server = new ScriptedSqlServer { TransientFaults = 1 };
        using var database = OfflineDatabase.ForSqlServer(server);

        await database.Services.GetRequiredService<IApiKeyRepository>().RecordUseAsync("0123456789abcdef", DateTime.UtcNow, Token);

        Assert.Equal(2, server.Commands.Count);
        Assert.All(server.Commands, c => Assert.Contains("SET [a].[last_used_at] = @", c.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reads_survive_a_transient_fault()
    {
        var server = new ScriptedSqlServer();
        using var database = OfflineDatabase.ForSqlServer(server);

        server.TransientFaults = 1;
        var session = await database.Services.GetRequiredService<ISessionQueries>().GetAsync(Guid.CreateVersion7(), "user_a", Token);
        server.TransientFaults = 1;
        var key = await database.Services.GetRequiredService<IApiKeyRepository>().GetAsync("0123456789abcdef", Token);

        Assert.Null(session);
        Assert.Null(key);
        Assert.Equal(4, server.Commands.Count);
    }

    [Fact]
    public async Task A_session_read_for_a_change_takes_an_update_lock_on_its_row_by_key()
    {
        var server = new ScriptedSqlServer();
        using var database = OfflineDatabase.ForSqlServer(server);

        await database.Services.GetRequiredService<ISessionRepository>().FindAsync(Guid.CreateVersion7(), "user_a", Token);

        var command = Assert.Single(server.Commands);
        Assert.Contains("FROM [sessions] WITH (UPDLOCK, ROWLOCK)", command.Text, StringComparison.Ordinal);
        Assert.Matches(@"WHERE \[\w+\]\.\[id\] = @\w+ AND \[\w+\]\.\[user_id\] = @", command.Text);

        // Parameters typed as their columns: no implicit conversion keeps the lookup from seeking the key.
        Assert.Equal([SqlDbType.Char, SqlDbType.NVarChar], command.Parameters.Values.Order());
    }
}
