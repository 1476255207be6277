using System.Net;
using System.Text.Json;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Safety;

/// <summary>The background sweeper persists expiry (contract §3): status expired with its status_changed event.</summary>
public abstract class ExpirySweepTests(ApiFixture api)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_sweeper_persists_expiry_with_its_event_and_leaves_terminal_sessions_alone()
    {
        var user = await api.CreateUserAsync();
        var active = await user.Client.CreateSessionInStatusAsync("planning");
        var done = await user.Client.CreateSessionInStatusAsync("cancelled");
        var createdLater = TimeSpan.FromDays(1);
        api.Clock.Advance(createdLater);
        var younger = (await user.Client.CreateSessionAsync()).Id();

        // Past the first two sessions' expiry (30 days) and past one sweep interval, not past the third's.
        api.Clock.Advance(TimeSpan.FromDays(30) - createdLater + TimeSpan.FromMinutes(2));

        var expired = await WaitForAsync(user, active, s => s.GetProperty("events").EnumerateArray().Any(e => e.GetProperty("stage").GetString() == "expired"));
        var last = expired.GetProperty("events").EnumerateArray().Last();
        Assert.Equal("expired", expired.GetProperty("status").GetString());
        Assert.Equal("status_changed", last.GetProperty("type").GetString());
        Assert.Equal("""{"from":"planning","to":"expired"}""", last.GetProperty("payload").GetRawText());
        var cancelled = await user.Client.GetSessionAsync(done);
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.DoesNotContain(cancelled.GetProperty("events").EnumerateArray(), e => e.GetProperty("stage").GetString() == "expired");
        Assert.Equal("intake", (await user.Client.GetSessionAsync(younger)).GetProperty("status").GetString());

        using var patch = await user.Client.PatchJsonAsync($"{Wire.Sessions}/{active}", """{"status":"generating"}""");
        await patch.AssertProblemAsync(HttpStatusCode.Conflict, "session_expired");
        using var list = await user.Client.GetAsync($"{Wire.Sessions}?status=expired", Token);
        Assert.Equal([active], (await list.ReadJsonAsync()).GetProperty("data").EnumerateArray().Select(s => s.Id()));
    }

    /// <summary>Polls the session until <paramref name="condition"/> holds; fails with the last state after a bounded wait.</summary>
    private static async Task<JsonElement> WaitForAsync(ApiUser user, string id, Func<JsonElement, bool> condition)
    {
        var session = await user.Client.GetSessionAsync(id);
        for (var attempt = 0; attempt < 200 && !condition(session); attempt++)
        {
            await Task.Delay(50, Token);
            session = await user.Client.GetSessionAsync(id);
        }

        Assert.True(condition(session), $"The sweeper did not persist expiry within the wait: {session}");
        return session;
    }
}
