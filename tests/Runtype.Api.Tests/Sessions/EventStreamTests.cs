using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.StreamSessionEvents;

namespace Runtype.Api.Tests.Sessions;

/// <summary>
/// GET /sessions/{id}/events/stream: replay, resume with Last-Event-ID, live delivery (signalled in process, polled
/// from the database otherwise), heartbeats, the end of the stream, auth and the per-user cap. The service's clock
/// is fake: a stream polls only when a test moves it (<see cref="Poll"/>) or when this process signals a change.
/// </summary>
public abstract class EventStreamTests(ApiFixture api)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Moves the service's clock by one poll interval: the streams waiting on it poll the database.</summary>
    private Action Poll => () => api.Clock.Advance(EventStreamSettings.DefaultPollInterval);

    [Fact]
    public async Task Replays_the_log_in_order_each_event_as_id_type_and_the_event_resource()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var first = await AppendAsync(user, id, """{"type":"progress","stage":"generation","message":"Step 1","payload":{"step":1}}""");
        var second = await AppendAsync(user, id, "{\"type\":\"note\",\"payload\":{\n  \"lines\": [1,\n 2]\n}}");
        await user.Client.UpdateSessionAsync(id, """{"status":"planning"}""");

        await using var stream = await EventStreamReader.OpenAsync(user.Client, id);
        var received = new[] { await stream.NextEventAsync(), await stream.NextEventAsync(), await stream.NextEventAsync() };

        Assert.Equal("no-cache", stream.Response.Headers.CacheControl?.ToString());
        Assert.Equal([first, second], received[..2].Select(m => m.Id));
        Assert.Equal(["progress", "note", "status_changed"], received.Select(m => m.Event));
        foreach (var message in received)
        {
            // One data line, whatever the payload: the line breaks between its tokens are spaces on the wire.
            using var resource = await user.Client.GetAsync($"{Wire.Sessions}/{id}/events/{message.Id}", Token);
            Assert.Equal(1, message.DataLines);
            Assert.Equal((await resource.ReadTextAsync()).Replace('\n', ' '), message.Data);
        }
    }

    /// <summary>Payloads (as raw JSON text of the body) whose strings or layout once broke the framing, or could.</summary>
    public static TheoryData<string, string?> FramingPayloads => new()
    {
        { "{\"s\":\"line\u2028separator\"}", "\u2028" },
        { "{\"s\":\"paragraph\u2029separator\"}", "\u2029" },
        { "{\"s\":\"next\u0085line\"}", "\u0085" },
        { "{\"s\":\"all\u2028\u2029\u0085of them\",\"k\u2028\":1}", "\u2028" },
        { "{\"s\":\"escaped \\n \\r \\u2028 \\u0000\"}", null },
        { "{\r\n\"crlf\":\r\n[1,\r2]\n}", null },
        { "{\"s\":\"\u200f\u202e\ufeff\ufffe\ud83d\ude80\"}", "\ud83d\ude80" },
    };

    [Theory]
    [MemberData(nameof(FramingPayloads))]
    public async Task Every_event_is_one_data_line_holding_exactly_the_event_JSON_whatever_the_payload(string payload, string? kept)
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var appended = await AppendAsync(user, id, $"{{\"type\":\"note\u2028x\",\"message\":\"m\u2029\",\"payload\":{payload}}}");
        await user.Client.UpdateSessionAsync(id, """{"status":"cancelled"}""");

        await using var stream = await EventStreamReader.OpenAsync(user.Client, id);
        var events = (await stream.ReadToEndAsync()).Where(m => !m.IsComment).ToArray();

        Assert.Equal([appended, events[1].Id], events.Select(e => e.Id));
        using var resource = await user.Client.GetAsync($"{Wire.Sessions}/{id}/events/{appended}", Token);
        var expected = System.Text.Json.Nodes.JsonNode.Parse(await resource.ReadTextAsync());
        Assert.All(events, e => Assert.Equal(1, e.DataLines));
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(expected, System.Text.Json.Nodes.JsonNode.Parse(events[0].Data!)), events[0].Data);
        Assert.Equal("note\u2028x", events[0].Event);
        if (kept is not null)
        {
            // Stored and sent as received: the character itself, not an escape.
            Assert.Contains(kept, events[0].Data, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_feed_reads_a_page_bounded_by_size_as_well_as_by_count()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var big = new string('b', 400 * 1024);
        foreach (var body in new[] { big, big, big, "s", "s", "s" })
        {
            await AppendAsync(user, id, "{\"type\":\"t\",\"payload\":{\"v\":\"" + body + "\"}}");
        }

        var feed = api.Services.GetRequiredService<ISessionEventFeed>();
        var session = Guid.Parse(id);
        var first = await feed.ReadAsync(session, user.UserId, 0, EventStreamSettings.BatchSize, EventStreamSettings.PageChars, Token);
        var second = await feed.ReadAsync(session, user.UserId, first!.Events[^1].Sequence, EventStreamSettings.BatchSize, EventStreamSettings.PageChars, Token);
        var alone = await feed.ReadAsync(session, user.UserId, 0, EventStreamSettings.BatchSize, 1000, Token);
        var byCount = await feed.ReadAsync(session, user.UserId, 3, 2, EventStreamSettings.PageChars, Token);
        var toTheEnd = await feed.ReadAsync(session, user.UserId, 3, 3, EventStreamSettings.PageChars, Token);

        // Two large events fit in a page of 1 Mi characters, a third would not.
        Assert.Equal([1L, 2L], first.Events.Select(e => e.Sequence));
        Assert.True(first.HasMore);
        Assert.Equal([3L, 4L, 5L, 6L], second!.Events.Select(e => e.Sequence));
        Assert.False(second.HasMore);

        // An event larger than the page is a page by itself; a page full by count says more follow only when they do.
        Assert.Equal([1L], alone!.Events.Select(e => e.Sequence));
        Assert.True(alone.HasMore);
        Assert.Equal([4L, 5L], byCount!.Events.Select(e => e.Sequence));
        Assert.True(byCount.HasMore);
        Assert.Equal([4L, 5L, 6L], toTheEnd!.Events.Select(e => e.Sequence));
        Assert.False(toTheEnd.HasMore);
    }

    [Fact]
    public async Task A_log_of_large_events_is_streamed_whole_and_in_order_page_after_page()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var ids = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add(await AppendAsync(user, id, $"{{\"type\":\"t{i}\",\"payload\":{{\"v\":\"{Filler(i)}\"}}}}"));
        }

        await user.Client.UpdateSessionAsync(id, """{"status":"cancelled"}""");

        await using var stream = await EventStreamReader.OpenAsync(user.Client, id);
        var events = (await stream.ReadToEndAsync()).Where(m => !m.IsComment).ToArray();

        Assert.Equal(ids, events[..8].Select(e => e.Id));
        Assert.Equal("status_changed", events[^1].Event);
        for (var i = 0; i < 8; i++)
        {
            Assert.Contains(Filler(i), events[i].Data, StringComparison.Ordinal);
        }
    }

    /// <summary>300 Ki characters, a different letter for each event.</summary>
    private static string Filler(int i) => new((char)('a' + i), 300 * 1024);

    [Fact]
    public async Task Resumes_after_the_Last_Event_ID()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var ids = new[] { await AppendAsync(user, id), await AppendAsync(user, id), await AppendAsync(user, id) };

        await using var stream = await EventStreamReader.OpenAsync(user.Client, id, lastEventId: ids[0]);

        Assert.Equal(ids[1], (await stream.NextEventAsync()).Id);
        Assert.Equal(ids[2], (await stream.NextEventAsync()).Id);
    }

    [Fact]
    public async Task An_event_appended_through_this_process_arrives_at_once_without_waiting_for_a_poll()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        await using var stream = await EventStreamReader.OpenAsync(user.Client, id);

        // The clock does not move in this test: only the in-process signal can wake the stream.
        var appended = await AppendAsync(user, id, """{"type":"progress","message":"live"}""");
        var patched = await user.Client.UpdateSessionAsync(id, """{"status":"generating"}""");

        var live = await stream.NextEventAsync();
        var statusChanged = await stream.NextEventAsync();
        Assert.Equal(appended, live.Id);
        Assert.Contains("\"message\":\"live\"", live.Data, StringComparison.Ordinal);
        Assert.Equal("status_changed", statusChanged.Event);
        Assert.Equal("generating", patched.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_event_written_by_another_process_is_found_by_polling_the_database()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        await using var stream = await EventStreamReader.OpenAsync(user.Client, id);

        // Written past this process's mediator, as another replica would: no in-process signal.
        var written = await AppendBehindTheApiAsync(id, user.UserId, "from-another-replica");

        var message = await stream.NextEventAsync(tick: Poll);
        Assert.Equal(written.ToString(), message.Id);
        Assert.Equal("from-another-replica", message.Event);
    }

    [Fact]
    public async Task A_quiet_stream_sends_a_heartbeat_comment()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        await using var stream = await EventStreamReader.OpenAsync(user.Client, id);

        var heartbeat = await stream.NextAsync(m => m.Comment == "heartbeat", "a heartbeat", tick: Poll);

        Assert.True(heartbeat.IsComment);
    }

    [Fact]
    public async Task Ends_once_the_session_is_terminal_and_its_last_event_is_sent_and_a_reconnect_is_204()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        await using var stream = await EventStreamReader.OpenAsync(user.Client, id);

        await user.Client.UpdateSessionAsync(id, """{"status":"cancelled"}""");
        var rest = await stream.ReadToEndAsync(tick: Poll);

        var events = rest.Where(m => !m.IsComment).ToArray();
        var last = Assert.Single(events);
        Assert.Equal("status_changed", last.Event);
        Assert.Contains("\"to\":\"cancelled\"", last.Data, StringComparison.Ordinal);
        Assert.Equal("end: the session is cancelled", rest[^1].Comment);
        using var reconnect = await EventStreamReader.RequestAsync(user.Client, id, lastEventId: last.Id);
        Assert.Equal(HttpStatusCode.NoContent, reconnect.StatusCode);
    }

    [Fact]
    public async Task A_finished_session_replays_its_whole_log_then_ends()
    {
        var user = await api.CreateUserAsync();
        var id = await user.Client.CreateSessionInStatusAsync("generating", "assembling", "completed");

        await using var stream = await EventStreamReader.OpenAsync(user.Client, id);
        var messages = await stream.ReadToEndAsync();

        Assert.Equal(["generating", "assembling", "completed"], messages.Where(m => !m.IsComment).Select(m => StageOf(m)));
        Assert.Equal("end: the session is completed", messages[^1].Comment);
    }

    [Fact]
    public async Task Ends_when_the_session_expires_and_when_it_is_deleted()
    {
        var user = await api.CreateUserAsync();
        var expiring = (await user.Client.CreateSessionAsync()).Id();
        var deleted = (await user.Client.CreateSessionAsync()).Id();
        await using var expiringStream = await EventStreamReader.OpenAsync(user.Client, expiring);
        await using var deletedStream = await EventStreamReader.OpenAsync(user.Client, deleted);

        using (var response = await user.Client.DeleteAsync($"{Wire.Sessions}/{deleted}", Token))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var afterDelete = await deletedStream.ReadToEndAsync();
        api.Clock.Advance(TimeSpan.FromDays(31));
        var afterExpiry = await expiringStream.ReadToEndAsync(tick: Poll);

        Assert.Equal("end: the session was deleted", afterDelete[^1].Comment);
        // The 31 days also pass the stream's time limit. A stream that read the session just before the clock moved
        // cannot know it expired (an event appended meanwhile could follow), so it may ask for a reconnect instead:
        // the reconnects below then end it.
        Assert.True(
            afterExpiry[^1].Comment is "end: the session is expired" || afterExpiry[^1].Comment?.StartsWith("reconnect:", StringComparison.Ordinal) == true,
            $"The stream ended with '{afterExpiry[^1].Comment}'.");
        using var reconnectDeleted = await EventStreamReader.RequestAsync(user.Client, deleted);
        await reconnectDeleted.AssertProblemAsync(HttpStatusCode.NotFound);

        // A client that reconnects with the last id it has is told to stop. The expiry sweeper may persist the expiry
        // (with its status_changed event) after the stream ended: a reconnect then delivers that event first.
        var lastId = afterExpiry.LastOrDefault(m => !m.IsComment)?.Id;
        for (var attempt = 1; ; attempt++)
        {
            using var reconnect = await EventStreamReader.RequestAsync(user.Client, expiring, lastId);
            if (reconnect.StatusCode == HttpStatusCode.NoContent)
            {
                break;
            }

            Assert.True(attempt < 3, $"A reconnect with Last-Event-ID {lastId} still answered {(int)reconnect.StatusCode} after {attempt} attempts.");
            await using var replay = EventStreamReader.Read(reconnect);
            var replayed = await replay.ReadToEndAsync(tick: Poll);
            var expiredEvent = Assert.Single(replayed, m => !m.IsComment);
            Assert.Contains("\"to\":\"expired\"", expiredEvent.Data, StringComparison.Ordinal);
            lastId = expiredEvent.Id;
        }
    }

    [Fact]
    public async Task A_connection_that_reached_its_maximum_duration_asks_the_client_to_reconnect_and_frees_its_slot()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var limiter = api.Services.GetRequiredService<EventStreamLimiter>();
        await using var stream = await EventStreamReader.OpenAsync(user.Client, id);

        var messages = await stream.ReadToEndAsync(tick: () => api.Clock.Advance(TimeSpan.FromMinutes(1)));

        Assert.StartsWith("reconnect:", messages[^1].Comment, StringComparison.Ordinal);
        Assert.DoesNotContain(messages, m => m.Comment?.StartsWith("end", StringComparison.Ordinal) == true);
        await Eventually(() => limiter.OpenStreams(user.UserId) == 0, "the slot of the closed connection to be freed");
        await using var again = await EventStreamReader.OpenAsync(user.Client, id);
    }

    [Theory]
    [InlineData("not-an-id")]
    [InlineData("0195f3c4-1111-7aaa-8bbb-000000000000")]
    [InlineData("other-session")]
    public async Task A_Last_Event_ID_that_is_not_an_event_of_this_session_is_400(string lastEventId)
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        if (lastEventId == "other-session")
        {
            lastEventId = await AppendAsync(user, (await user.Client.CreateSessionAsync()).Id());
        }

        using var response = await EventStreamReader.RequestAsync(user.Client, id, lastEventId);

        await response.AssertValidationProblemAsync("Last-Event-ID");
    }

    [Fact]
    public async Task Needs_the_read_scope_and_hides_other_users_sessions()
    {
        var owner = await api.CreateUserAsync();
        var stranger = await api.CreateUserAsync();
        var writeOnly = await api.CreateUserAsync("org_test", "sessions:write");
        var id = (await owner.Client.CreateSessionAsync()).Id();
        using var anonymous = api.CreateAnonymousClient();

        using var unauthenticated = await EventStreamReader.RequestAsync(anonymous, id);
        using var forbidden = await EventStreamReader.RequestAsync(writeOnly.Client, id);
        using var theirs = await EventStreamReader.RequestAsync(stranger.Client, id);
        using var missing = await EventStreamReader.RequestAsync(stranger.Client, Guid.CreateVersion7().ToString());

        // Errors are problem details even for a client that accepts only text/event-stream.
        await unauthenticated.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Bearer", unauthenticated.Headers.WwwAuthenticate.First().Scheme);
        await forbidden.AssertProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await theirs.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await missing.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_client_that_goes_away_frees_its_stream_on_the_server()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var limiter = api.Services.GetRequiredService<EventStreamLimiter>();

        var stream = await EventStreamReader.OpenAsync(user.Client, id);
        await stream.NextAsync(m => m.IsComment, "the opening comment");
        Assert.Equal(1, limiter.OpenStreams(user.UserId));
        await stream.DisposeAsync();

        await Eventually(() => limiter.OpenStreams(user.UserId) == 0, "the server to release the stream of a client that went away");
    }

    [Fact]
    public async Task Beyond_the_cap_a_user_gets_429_with_Retry_After_until_one_of_their_streams_closes()
    {
        var user = await api.CreateUserAsync();
        var other = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var otherId = (await other.Client.CreateSessionAsync()).Id();
        var open = new List<EventStreamReader>();
        try
        {
            for (var i = 0; i < EventStreamSettings.DefaultMaxPerUser; i++)
            {
                open.Add(await EventStreamReader.OpenAsync(user.Client, id));
            }

            using (var refused = await EventStreamReader.RequestAsync(user.Client, id))
            {
                var problem = await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests, "too_many_streams");
                Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
                Assert.Equal(EventStreamSettings.DefaultMaxPerUser, problem.GetProperty("limit").GetInt32());
            }

            // The cap is per user: someone else is not affected.
            await using (await EventStreamReader.OpenAsync(other.Client, otherId))
            {
            }

            await open[0].DisposeAsync();
            open.RemoveAt(0);
            await Eventually(
                () => api.Services.GetRequiredService<EventStreamLimiter>().OpenStreams(user.UserId) < EventStreamSettings.DefaultMaxPerUser,
                "a slot to be freed after a stream closed");
            open.Add(await EventStreamReader.OpenAsync(user.Client, id));
        }
        finally
        {
            foreach (var stream in open)
            {
                await stream.DisposeAsync();
            }
        }
    }

    private static string StageOf(SseMessage message) =>
        System.Text.Json.JsonDocument.Parse(message.Data!).RootElement.GetProperty("stage").GetString()!;

    private static async Task<string> AppendAsync(ApiUser user, string id, string body = """{"type":"progress"}""")
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

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + EventStreamReader.Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Waited {EventStreamReader.Patience.TotalSeconds:0} s for {what}, in vain.");
            await Task.Delay(TimeSpan.FromMilliseconds(50), Token);
        }
    }
}
