using System.Net;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Platform;

/// <summary>The service's own meter (docs/observability.md) moves with what the API does, and only with what it committed.</summary>
public sealed class MetricsTests(SqliteApiFixture api) : IClassFixture<SqliteApiFixture>
{
    private const string Created = "runtype.sessions.created";
    private const string StatusChanges = "runtype.sessions.status_changes";
    private const string Appended = "runtype.session_events.appended";
    private const string Replays = "runtype.idempotency.replays";
    private const string OpenStreams = "runtype.event_streams.open";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Creating_changing_and_appending_move_their_counters_and_failures_move_none()
    {
        var user = await api.CreateUserAsync();
        using var metrics = new HostMetrics(api.Services);

        var id = (await user.Client.CreateSessionAsync()).Id();
        await user.Client.UpdateSessionAsync(id, """{"status":"planning"}""");
        await user.Client.UpdateSessionAsync(id, """{"status":"planning","plan":{"steps":1}}"""); // the status it has: no change
        using var illegal = await user.Client.PatchJsonAsync($"{Wire.Sessions}/{id}", """{"status":"completed"}""");
        using var appended = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress"}""");
        using var invalid = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":""}""");
        await user.Client.UpdateSessionAsync(id, """{"status":"cancelled"}""");

        Assert.Equal(HttpStatusCode.Conflict, illegal.StatusCode);
        Assert.Equal(HttpStatusCode.Created, appended.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(1, metrics.Sum(Created));
        Assert.Equal(2, metrics.Sum(StatusChanges));
        Assert.Equal(1, metrics.Sum(StatusChanges, "session.status=planning"));
        Assert.Equal(1, metrics.Sum(StatusChanges, "session.status=cancelled"));
        Assert.Equal(0, metrics.Sum(StatusChanges, "session.status=completed"));
        Assert.Equal(1, metrics.Sum(Appended)); // the client's event, not the status_changed ones
    }

    [Fact]
    public async Task A_replayed_Idempotency_Key_counts_a_replay_and_creates_nothing_new()
    {
        var user = await api.CreateUserAsync();
        using var metrics = new HostMetrics(api.Services);

        for (var i = 0; i < 3; i++)
        {
            using var response = await user.Client.SendJsonAsync(HttpMethod.Post, Wire.Sessions, "{}", r => r.Headers.Add("Idempotency-Key", "metrics-create-1"));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        Assert.Equal(1, metrics.Sum(Created));
        Assert.Equal(2, metrics.Sum(Replays, "operation=create_session"));
    }

    [Fact]
    public async Task Concurrent_appends_to_one_session_are_each_counted_once()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        using var metrics = new HostMetrics(api.Services);
        const int Appends = 16;

        var responses = await Task.WhenAll(Enumerable.Range(0, Appends).Select(_ => user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress"}""")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(Appends, metrics.Sum(Appended));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task An_open_stream_counts_until_it_closes()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        using var metrics = new HostMetrics(api.Services);

        await using (var stream = await EventStreamReader.OpenAsync(user.Client, id))
        {
            Assert.Equal(1, metrics.Sum(OpenStreams));
        }

        for (var i = 0; i < 100 && metrics.Sum(OpenStreams) != 0; i++)
        {
            await Task.Delay(50, Token); // the server learns of the closed connection a moment later
        }

        Assert.Equal(0, metrics.Sum(OpenStreams));
    }
}

/// <summary>Expiry is a status change too: counted when the sweeper persists it (a fixture of its own: the clock jumps).</summary>
public sealed class ExpiryMetricsTests(SqliteApiFixture api) : IClassFixture<SqliteApiFixture>
{
    [Fact]
    public async Task The_sweeper_counts_each_expiry_once()
    {
        var user = await api.CreateUserAsync();
        var ids = new[] { (await user.Client.CreateSessionAsync()).Id(), await user.Client.CreateSessionInStatusAsync("generating") };
        using var metrics = new HostMetrics(api.Services);

        api.Clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(2));
        for (var i = 0; i < 200 && metrics.Sum("runtype.sessions.status_changes", "session.status=expired") < 2; i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Equal(2, metrics.Sum("runtype.sessions.status_changes", "session.status=expired"));
        Assert.Equal(2, metrics.Sum("runtype.sessions.status_changes"));
        foreach (var id in ids)
        {
            Assert.Equal("expired", (await user.Client.GetSessionAsync(id)).GetProperty("status").GetString());
        }
    }
}
