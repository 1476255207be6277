using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.StreamSessionEvents;

namespace Runtype.Api.Tests.Sessions;

/// <summary>
/// GET /sessions/stream: every change of the caller's sessions (new events, then the session as it stands; deletions),
/// only theirs, resumed after a Last-Event-ID without repeating what came before it, changes written by another
/// process found by the change feed, heartbeats, auth and the shared per-user cap. The service's clock is fake.
/// </summary>
public abstract class SessionChangeStreamTests(ApiFixture api)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Moves the service's clock by one poll interval: the change feed reads the database.</summary>
    private Action Poll => () => api.Clock.Advance(EventStreamSettings.DefaultPollInterval);

    [Fact]
    public async Task Sends_each_change_of_the_caller_s_sessions_as_it_commits_events_first_then_the_session()
    {
        var user = await api.CreateUserAsync();
        await using var stream = await EventStreamReader.OpenPathAsync(user.Client, EventStreamReader.AllSessions);

        var id = (await user.Client.CreateSessionAsync("""{"prd":{"title":"Live"}}""")).Id();
        var created = await stream.NextEventAsync();
        var appended = await AppendAsync(user, id, """{"type":"progress","message":"step 1"}""");
        var appendedEvent = await stream.NextEventAsync();
        var afterAppend = await stream.NextEventAsync();
        using (var resource = await user.Client.GetAsync($"{Wire.Sessions}/{id}/events/{appended}", Token))
        {
            Assert.Equal(await resource.ReadTextAsync(), appendedEvent.Data);
        }

        await user.Client.UpdateSessionAsync(id, """{"status":"planning","assemblyState":{"progress":10}}""");
        var statusEvent = await stream.NextEventAsync();
        var afterPatch = await stream.NextEventAsync();
        using (var deleted = await user.Client.DeleteAsync($"{Wire.Sessions}/{id}", Token))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var deletion = await stream.NextEventAsync();

        Assert.Equal("session", created.Event);
        Assert.Equal(id, Json(created).Id());
        Assert.Equal("intake", Json(created).GetProperty("status").GetString());
        Assert.Equal("""{"title":"Live"}""", Json(created).GetProperty("prd").GetRawText());
        Assert.False(Json(created).TryGetProperty("events", out _));
        Assert.Equal("event", appendedEvent.Event);
        Assert.Null(appendedEvent.Id);

        Assert.Equal("session", afterAppend.Event);
        Assert.Equal("status_changed", Json(statusEvent).GetProperty("type").GetString());
        Assert.Equal("planning", Json(afterPatch).GetProperty("status").GetString());
        Assert.Equal("""{"progress":10}""", Json(afterPatch).GetProperty("assemblyState").GetRawText());
        Assert.Equal("deleted", deletion.Event);
        Assert.Equal(id, Json(deletion).GetProperty("id").GetString());
        Assert.Equal(user.UserId, Json(deletion).GetProperty("userId").GetString());
        Assert.All(new[] { created, afterAppend, afterPatch, deletion }, m => Assert.Matches("^[0-9]+-[0-9a-f-]{36}$", m.Id!));
    }

    [Fact]
    public async Task Starts_with_what_commits_after_it_opens_and_sends_nothing_of_other_users()
    {
        var user = await api.CreateUserAsync();
        var stranger = await api.CreateUserAsync();
        var existing = (await user.Client.CreateSessionAsync()).Id();
        await AppendAsync(user, existing, """{"type":"before"}""");
        await using var stream = await EventStreamReader.OpenPathAsync(user.Client, EventStreamReader.AllSessions);

        var strangers = (await stranger.Client.CreateSessionAsync()).Id();
        await AppendAsync(stranger, strangers, """{"type":"not-yours"}""");
        var after = await AppendAsync(user, existing, """{"type":"after"}""");

        var first = await stream.NextEventAsync();
        var second = await stream.NextEventAsync();
        Assert.Equal(after, Json(first).Id());
        Assert.Equal("session", second.Event);
        Assert.Equal(existing, Json(second).Id());
    }

    [Fact]
    public async Task Resumes_after_the_Last_Event_ID_with_what_changed_since_and_nothing_before()
    {
        var user = await api.CreateUserAsync();
        string position;
        var first = (await user.Client.CreateSessionAsync()).Id();
        await using (var stream = await EventStreamReader.OpenPathAsync(user.Client, EventStreamReader.AllSessions))
        {
            await AppendAsync(user, first, """{"type":"seen"}""");
            await stream.NextEventAsync();
            position = (await stream.NextEventAsync()).Id!;
        }

        // While no stream is open: an event appended to the first session, a second session, the first one deleted.
        api.Clock.Advance(TimeSpan.FromSeconds(1));
        var missed = await AppendAsync(user, first, """{"type":"missed"}""");
        var second = (await user.Client.CreateSessionAsync()).Id();
        api.Clock.Advance(TimeSpan.FromSeconds(1));
        using (var deleted = await user.Client.DeleteAsync($"{Wire.Sessions}/{first}", Token))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await using var resumed = await EventStreamReader.OpenPathAsync(user.Client, EventStreamReader.AllSessions, lastEventId: position);
        var messages = new[] { await resumed.NextEventAsync(), await resumed.NextEventAsync() };

        // Then a new change: it comes next, so nothing else was sent in between (no repeat of what came before the position).
        api.Clock.Advance(TimeSpan.FromSeconds(1));
        var third = (await user.Client.CreateSessionAsync()).Id();
        var next = await resumed.NextEventAsync();

        // The first session is gone by the time the stream reads it: its deletion is sent, not its missed event.
        Assert.Equal(["session", "deleted"], messages.Select(m => m.Event));
        Assert.Equal(second, Json(messages[0]).Id());
        Assert.Equal(first, Json(messages[1]).GetProperty("id").GetString());
        Assert.DoesNotContain(messages, m => m.Data!.Contains(missed, StringComparison.Ordinal));
        Assert.Equal(third, Json(next).Id());
        Assert.True(string.CompareOrdinal(position, messages[0].Id) < 0, $"{messages[0].Id} should come after {position}.");
    }

    [Fact]
    public async Task A_resumed_stream_sends_the_events_missed_meanwhile_then_the_session()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        string position;
        await using (var stream = await EventStreamReader.OpenPathAsync(user.Client, EventStreamReader.AllSessions))
        {
            await AppendAsync(user, id, """{"type":"seen"}""");
            await stream.NextEventAsync();
            position = (await stream.NextEventAsync()).Id!;
        }

        api.Clock.Advance(TimeSpan.FromSeconds(1));
        var missed = new[] { await AppendAsync(user, id, """{"type":"missed-1"}"""), await AppendAsync(user, id, """{"type":"missed-2"}""") };

        await using var resumed = await EventStreamReader.OpenPathAsync(user.Client, EventStreamReader.AllSessions, lastEventId: position);
        var received = new[] { await resumed.NextEventAsync(), await resumed.NextEventAsync(), await resumed.NextEventAsync() };

        Assert.Equal(["event", "event", "session"], received.Select(m => m.Event));
        Assert.Equal(missed, received[..2].Select(m => Json(m).Id()));
        Assert.Equal(id, Json(received[2]).Id());
    }

    [Fact]
    public async Task A_change_written_by_another_process_is_found_by_the_change_feed()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        await using var stream = await EventStreamReader.OpenPathAsync(user.Client, EventStreamReader.AllSessions);

        var written = await AppendBehindTheApiAsync(id, user.UserId, "from-another-replica");

        var appended = await stream.NextEventAsync(tick: Poll);
        var session = await stream.NextEventAsync(tick: Poll);
        Assert.Equal(written.ToString(), Json(appended).Id());
        Assert.Equal(id, Json(session).Id());
    }

    [Fact]
    public async Task A_quiet_stream_sends_heartbeats()
    {
        var user = await api.CreateUserAsync();
        await using var stream = await EventStreamReader.OpenPathAsync(user.Client, EventStreamReader.AllSessions);

        var heartbeat = await stream.NextAsync(m => m.Comment == "heartbeat", "a heartbeat", tick: Poll);

        Assert.True(heartbeat.IsComment);
    }

    [Theory]
    [InlineData("not-a-position")]
    [InlineData("0195f3c4-1111-7aaa-8bbb-000000000000")]
    [InlineData("12-0195F3C4-1111-7AAA-8BBB-000000000000")]
    [InlineData("-1-0195f3c4-1111-7aaa-8bbb-000000000000")]
    public async Task A_Last_Event_ID_that_is_not_a_position_of_this_stream_is_400(string lastEventId)
    {
        var user = await api.CreateUserAsync();

        using var response = await EventStreamReader.RequestPathAsync(user.Client, EventStreamReader.AllSessions, lastEventId);

        await response.AssertValidationProblemAsync("Last-Event-ID");
    }

    [Fact]
    public async Task Needs_the_read_scope_and_counts_against_the_same_cap_as_the_stream_of_one_session()
    {
        var writeOnly = await api.CreateUserAsync("org_test", "sessions:write");
        using var anonymous = api.CreateAnonymousClient();
        using var unauthenticated = await EventStreamReader.RequestPathAsync(anonymous, EventStreamReader.AllSessions);
        using var forbidden = await EventStreamReader.RequestPathAsync(writeOnly.Client, EventStreamReader.AllSessions);
        await unauthenticated.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await forbidden.AssertProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");

        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var open = new List<EventStreamReader>();
        try
        {
            for (var i = 0; i < EventStreamSettings.DefaultMaxPerUser; i++)
            {
                open.Add(i % 2 == 0
                    ? await EventStreamReader.OpenPathAsync(user.Client, EventStreamReader.AllSessions)
                    : await EventStreamReader.OpenAsync(user.Client, id));
            }

            using var refused = await EventStreamReader.RequestPathAsync(user.Client, EventStreamReader.AllSessions);
            await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests, "too_many_streams");
            Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
        }
        finally
        {
            foreach (var stream in open)
            {
                await stream.DisposeAsync();
            }
        }
    }

    private static JsonElement Json(SseMessage message) => JsonDocument.Parse(message.Data!).RootElement;

    private static async Task<string> AppendAsync(ApiUser user, string id, string body)
    {
        using var response = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).Id();
    }

    /// <summary>Appends an event through the repository directly: committed to the database, no in-process signal.</summary>
    private async Task<Guid> AppendBehindTheApiAsync(string sessionId, string userId, string type)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var sessions = scope.ServiceProvider.GetRequiredService<ISessionRepository>();
        var session = await sessions.FindAsync(Guid.Parse(sessionId), userId, Token);
        Assert.NotNull(session);
        var appended = session.AppendEvent(type, null, null, null, api.Clock.GetUtcNow());
        await sessions.SaveChangesAsync(Token);
        return appended.Id;
    }
}
