using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Application.Common;

namespace Runtype.Api.Tests.Persistence;

/// <summary>
/// A transaction that cannot even begin (SQLite's write lock held by another process past the busy timeout) leaves
/// nothing behind: the pooled context it ran on serves the next calls as any other.
/// </summary>
public sealed class FailedTransactionTests(SqliteApiFixture api) : IClassFixture<SqliteApiFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_unit_of_work_whose_BEGIN_fails_gives_its_context_back_as_it_came()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();

        await using (var locker = new SqliteConnection($"Data Source={api.DatabasePath};Pooling=False"))
        {
            await locker.OpenAsync(Token);
            await using (var begin = locker.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE;";
                await begin.ExecuteNonQueryAsync(Token);
            }

            // Outside any API call, as the sweeper runs: the context's own connection, not a lent one.
            await using var scope = api.Services.CreateAsyncScope();
            var unitOfWork = scope.ServiceProvider.GetRequiredService<IUnitOfWork>();
            var failed = await Assert.ThrowsAsync<SqliteException>(() => unitOfWork.InTransactionAsync(_ => Task.FromResult(0), Token));
            Assert.Equal(5, failed.SqliteErrorCode & 0xFF);
        }

        // Calls one after the other take the pooled contexts in turn: every one of them, the one that failed included.
        for (var i = 0; i < 32; i++)
        {
            using var appended = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress"}""");
            Assert.Equal(HttpStatusCode.Created, appended.StatusCode);
        }
    }
}
