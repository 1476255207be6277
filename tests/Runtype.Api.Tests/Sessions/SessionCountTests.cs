using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Domain.Sessions;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Api.Tests.Sessions;

/// <summary>
/// <c>pagination.total</c> comes from per-user, per-status counts the database keeps in the writing transaction, not
/// from counting rows: it must stay exact across creates, status changes, deletes, expiry (read as expired before
/// the sweeper persists it, and after) and concurrent writers, for every status filter.
/// </summary>
public abstract class SessionCountTests(ApiFixture api)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Totals_follow_creates_status_changes_and_deletes()
    {
        var user = await api.CreateUserAsync();
        await user.Client.CreateSessionInStatusAsync("planning");
        await user.Client.CreateSessionInStatusAsync("planning");
        await user.Client.CreateSessionInStatusAsync("planning", "generating");
        await user.Client.CreateSessionInStatusAsync("cancelled");
        var deleted = (await user.Client.CreateSessionAsync()).Id();
        await user.Client.CreateSessionAsync();
        using (var delete = await user.Client.DeleteAsync($"{Wire.Sessions}/{deleted}", Token))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        await AssertTotalsAsync(user, new() { ["intake"] = 1, ["planning"] = 2, ["generating"] = 1, ["cancelled"] = 1 });
        await AssertCountsMatchRowsAsync(user);
    }

    [Fact]
    public async Task An_overdue_session_counts_as_expired_before_and_after_the_sweeper_persists_it()
    {
        var user = await api.CreateUserAsync();
        var planning = await user.Client.CreateSessionInStatusAsync("planning");
        await user.Client.CreateSessionAsync();
        await user.Client.CreateSessionInStatusAsync("cancelled");
        var createdLater = TimeSpan.FromDays(1);
        api.Clock.Advance(createdLater);
        await user.Client.CreateSessionAsync();

        // The first two are past their expiry; the sweeper may or may not have persisted it yet: the totals are the same.
        api.Clock.Advance(TimeSpan.FromDays(30) - createdLater + TimeSpan.FromMinutes(2));
        var expected = new Dictionary<string, int> { ["expired"] = 2, ["intake"] = 1, ["cancelled"] = 1 };
        await AssertTotalsAsync(user, expected);

        for (var attempt = 0; attempt < 200 && (await user.Client.GetSessionAsync(planning)).GetProperty("events").EnumerateArray()
                 .All(e => e.GetProperty("stage").GetString() != "expired"); attempt++)
        {
            await Task.Delay(50, Token);
        }

        await AssertTotalsAsync(user, expected);
        await AssertCountsMatchRowsAsync(user);
        Assert.Equal(2, await StoredCountAsync(user.UserId, "expired"));
    }

    [Fact]
    public async Task Concurrent_writers_keep_the_counts_exact()
    {
        var user = await api.CreateUserAsync();
        var ids = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ => (await user.Client.CreateSessionAsync()).Id()));

        await Task.WhenAll(ids.Select((id, i) => (i % 3) switch
        {
            0 => (Task)user.Client.UpdateSessionAsync(id, """{"status":"planning"}"""),
            1 => user.Client.UpdateSessionAsync(id, """{"status":"cancelled"}"""),
            _ => DeleteAsync(user, id),
        }));

        // Many writers of one session at once: each PATCH either changes its status or finds it already there.
        var contested = ids[0];
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            user.Client.UpdateSessionAsync(contested, i % 2 == 0 ? """{"status":"generating"}""" : """{"status":"planning"}""")));
        var final = (await user.Client.GetSessionAsync(contested)).GetProperty("status").GetString()!;

        var expected = new Dictionary<string, int> { ["planning"] = 3, ["cancelled"] = 4 };
        expected[final] = expected.GetValueOrDefault(final) + 1;
        await AssertTotalsAsync(user, expected);
        await AssertCountsMatchRowsAsync(user);
    }

    private static async Task DeleteAsync(ApiUser user, string id)
    {
        using var response = await user.Client.DeleteAsync($"{Wire.Sessions}/{id}", Token);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>Every filter (and none) reports the expected total, and the total is the number of sessions it lists.</summary>
    private static async Task AssertTotalsAsync(ApiUser user, Dictionary<string, int> expected)
    {
        foreach (var status in SessionLifecycle.AllWireNames.Prepend(""))
        {
            var query = status.Length == 0 ? "?limit=100" : $"?status={status}&limit=100";
            using var response = await user.Client.GetAsync($"{Wire.Sessions}{query}", Token);
            var page = await response.ReadJsonAsync();
            var total = page.GetProperty("pagination").GetProperty("total").GetInt32();
            var want = status.Length == 0 ? expected.Values.Sum() : expected.GetValueOrDefault(status);
            Assert.True(want == total, $"status '{status}': total {total}, expected {want}");
            Assert.Equal(total, page.GetProperty("data").GetArrayLength());
        }
    }

    /// <summary>The stored count of each status is the number of the user's rows in it.</summary>
    private async Task AssertCountsMatchRowsAsync(ApiUser user)
    {
        foreach (var status in SessionLifecycle.AllWireNames)
        {
            var rows = await RowCountAsync(user.UserId, status);
            Assert.True(rows == await StoredCountAsync(user.UserId, status), $"status '{status}': {rows} rows, stored count {await StoredCountAsync(user.UserId, status)}");
        }
    }

    private async Task<long> StoredCountAsync(string userId, string status)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RuntypeDbContext>();
        var stored = await db.Database
            .SqlQuery<long>($"SELECT total AS Value FROM session_counts WHERE user_id = {userId} AND status = {status}")
            .ToListAsync(Token);
        return stored.SingleOrDefault();
    }

    private async Task<long> RowCountAsync(string userId, string status)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RuntypeDbContext>();
        return (await db.Database
            .SqlQuery<long>($"SELECT CAST(COUNT(*) AS BIGINT) AS Value FROM sessions WHERE user_id = {userId} AND status = {status}")
            .ToListAsync(Token)).Single();
    }
}
