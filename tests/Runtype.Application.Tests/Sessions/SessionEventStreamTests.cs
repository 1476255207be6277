using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Runtype.Application.Sessions.StreamSessionEvents;
using Runtype.Domain.Sessions;

namespace Runtype.Application.Tests.Sessions;

/// <summary>
/// The live stream's loop, with a fake feed and a fake clock: batching, the end of the stream, no reads while idle,
/// wake-ups, the expiry, heartbeats and the stream slot (counted alone and shared). Waits are bounded; none is a speed check.
/// </summary>
public sealed class SessionEventStreamTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly DateTimeOffset Start = new(2026, 6, 10, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Start);
    private readonly FakeFeed _feed;
    private readonly SessionChangeSignal _signal = new();
    private readonly EventStreamLimiter _limiter = new(EventStreamSettings.Default);
    private readonly Session _session;

    public SessionEventStreamTests()
    {
        _session = Session.Start("user_1", null, null, null, null, Start, TimeSpan.FromDays(30));
        _feed = new FakeFeed(_session);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_backlog_longer_than_a_batch_is_read_batch_after_batch_without_waiting()
    {
        _feed.Append(EventStreamSettings.BatchSize + 20);
        using var stream = Open();
        await using var messages = stream.ReadAsync(Token).GetAsyncEnumerator(Token);

        var received = await TakeEventsAsync(messages, EventStreamSettings.BatchSize + 20);

        Assert.Equal(Enumerable.Range(1, EventStreamSettings.BatchSize + 20).Select(n => $"e{n}"), received.Select(e => e.Type));
        Assert.Equal(2, _feed.Reads);
    }

    [Fact]
    public async Task Ends_once_a_terminal_session_has_sent_everything_and_only_then()
    {
        _feed.Append(EventStreamSettings.BatchSize + 1);
        _feed.Status = SessionStatus.Completed;
        using var stream = Open();

        var messages = await ReadAllAsync(stream);

        Assert.Equal(EventStreamSettings.BatchSize + 1, messages.Count(m => m.Kind == EventStreamMessageKind.Event));
        Assert.Equal(EventStreamMessage.End("the session is completed"), messages[^1]);
    }

    [Fact]
    public async Task Ends_when_the_session_is_deleted_or_past_its_expiry()
    {
        _feed.Deleted = true;
        using (var deleted = Open())
        {
            Assert.Equal([EventStreamMessage.End("the session was deleted")], await ReadAllAsync(deleted));
        }

        _feed.Deleted = false;
        _clock.Advance(TimeSpan.FromDays(31));
        using var expired = Open();
        Assert.Equal([EventStreamMessage.End("the session is expired")], await ReadAllAsync(expired));
    }

    [Fact]
    public async Task An_idle_stream_reads_nothing_however_long_until_a_change_is_signalled()
    {
        using var stream = Open();
        await using var messages = stream.ReadAsync(Token).GetAsyncEnumerator(Token);

        // Three heartbeats' worth of time: heartbeats are sent, nothing is read (the process's change feed polls for all).
        for (var heartbeat = 0; heartbeat < 3; heartbeat++)
        {
            var beat = messages.MoveNextAsync().AsTask();
            await WaitUntilAsync(() => _feed.Reads == 1, "the first read");
            await WaitUntilAsync(() => { _clock.Advance(EventStreamSettings.DefaultPollInterval); return beat.IsCompleted; }, "a heartbeat");
            Assert.True(await beat);
            Assert.Equal(EventStreamMessageKind.Heartbeat, messages.Current.Kind);
        }

        Assert.Equal(1, _feed.Reads);
        _feed.Append(1);
        var next = messages.MoveNextAsync().AsTask();
        _signal.Notify(_session.Id, _session.UserId);
        Assert.True(await next.WaitAsync(Patience, Token));
        Assert.Equal("e1", messages.Current.SessionEvent!.Type);
        Assert.Equal(2, _feed.Reads);
    }

    [Fact]
    public async Task A_stream_wakes_by_itself_at_the_session_s_expiry_and_ends()
    {
        var settings = EventStreamSettings.Default with { MaxDuration = TimeSpan.FromDays(60) };
        using var stream = new SessionEventStream(_session.Id, _session.UserId, 0, _feed, _signal, _clock, settings, _limiter, new Slot());
        var reading = Task.Run(() => ReadAllAsync(stream), Token);
        await WaitUntilAsync(() => _feed.Reads == 1, "the first read");

        _clock.Advance(_session.ExpiresAt - Start.UtcDateTime);

        var messages = await reading.WaitAsync(Patience, Token);
        Assert.Equal(EventStreamMessage.End("the session is expired"), messages[^1]);
        Assert.Equal(2, _feed.Reads);
    }

    [Fact]
    public async Task A_signal_wakes_the_stream_before_the_interval()
    {
        using var stream = Open();
        await using var messages = stream.ReadAsync(Token).GetAsyncEnumerator(Token);
        var next = messages.MoveNextAsync().AsTask();
        await WaitUntilAsync(() => _feed.Reads == 1, "the first poll");

        _feed.Append(1);
        _signal.Notify(_session.Id, _session.UserId);

        Assert.True(await next.WaitAsync(Patience, Token));
        Assert.Equal("e1", messages.Current.SessionEvent!.Type);
        Assert.Equal(Start, _clock.GetUtcNow());
    }

    [Fact]
    public async Task Sends_a_heartbeat_after_the_heartbeat_interval_without_events()
    {
        using var stream = Open();
        await using var messages = stream.ReadAsync(Token).GetAsyncEnumerator(Token);
        var next = messages.MoveNextAsync().AsTask();

        await WaitUntilAsync(() => { _clock.Advance(EventStreamSettings.DefaultPollInterval); return next.IsCompleted; }, "a heartbeat");

        Assert.True(await next);
        Assert.Equal(EventStreamMessageKind.Heartbeat, messages.Current.Kind);
        Assert.True(_clock.GetUtcNow() - Start >= EventStreamSettings.DefaultHeartbeatInterval);
    }

    [Fact]
    public async Task After_its_maximum_duration_a_stream_asks_the_client_to_reconnect()
    {
        var settings = EventStreamSettings.Default with { MaxDuration = TimeSpan.FromMinutes(2) };
        using var stream = new SessionEventStream(_session.Id, _session.UserId, 0, _feed, _signal, _clock, settings, _limiter, new Slot());
        var reading = Task.Run(() => ReadAllAsync(stream), Token);

        await WaitUntilAsync(() => { _clock.Advance(EventStreamSettings.DefaultPollInterval); return reading.IsCompleted; }, "the stream to close");

        var messages = await reading;
        Assert.Equal(EventStreamMessage.Reconnect, messages[^1]);
        Assert.All(messages[..^1], m => Assert.Equal(EventStreamMessageKind.Heartbeat, m.Kind));
        Assert.True(_clock.GetUtcNow() - Start >= settings.MaxDuration);
    }

    [Fact]
    public async Task Stopping_the_reader_ends_the_wait_and_disposing_frees_the_slot_and_the_subscription()
    {
        var stream = new SessionEventStream(_session.Id, _session.UserId, 0, _feed, _signal, _clock, EventStreamSettings.Default, _limiter, (await _limiter.TryAcquireAsync("user_1", Token))!);
        Assert.Equal(1, _limiter.OpenStreams("user_1"));
        using var stop = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            await foreach (var message in stream.ReadAsync(stop.Token))
            {
                Assert.Fail($"Nothing was expected, got {message}.");
            }
        }, Token);
        await WaitUntilAsync(() => _feed.Reads == 1 && _signal.ListenedSessions == 1, "the stream to wait");

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading.WaitAsync(Patience, Token));
        stream.Dispose();

        Assert.Equal(0, _limiter.OpenStreams("user_1"));
        Assert.Equal(0, _signal.ListenedSessions);
    }

    [Fact]
    public async Task The_limiter_caps_each_user_separately()
    {
        var limiter = new EventStreamLimiter(EventStreamSettings.Default with { MaxPerUser = 2 });

        var first = await limiter.TryAcquireAsync("a", Token);
        var second = await limiter.TryAcquireAsync("a", Token);
        var third = await limiter.TryAcquireAsync("a", Token);
        var otherUser = await limiter.TryAcquireAsync("b", Token);
        first!.Dispose();
        first.Dispose();
        var afterRelease = await limiter.TryAcquireAsync("a", Token);

        Assert.NotNull(second);
        Assert.Null(third);
        Assert.NotNull(otherUser);
        Assert.NotNull(afterRelease);
        Assert.Equal(2, limiter.OpenStreams("a"));
    }

    [Fact]
    public async Task With_a_shared_count_the_shared_count_decides_and_while_it_is_unreachable_the_process_counts_alone()
    {
        var shared = new FakeSharedSlots();
        var limiter = new EventStreamLimiter(EventStreamSettings.Default with { MaxPerUser = 2 }, shared);

        // The other replicas hold one slot already: one more here, then the shared cap refuses.
        shared.Taken["a"] = 1;
        var first = await limiter.TryAcquireAsync("a", Token);
        var refused = await limiter.TryAcquireAsync("a", Token);
        Assert.NotNull(first);
        Assert.Null(refused);
        Assert.Equal(2, shared.Taken["a"]);

        // Unreachable: this process counts its own, up to the cap.
        shared.Reachable = false;
        var alone = await limiter.TryAcquireAsync("a", Token);
        var beyond = await limiter.TryAcquireAsync("a", Token);
        Assert.NotNull(alone);
        Assert.Null(beyond);

        // A slot taken in the shared count is given back there; one taken while it was unreachable is not.
        shared.Reachable = true;
        first!.Dispose();
        alone!.Dispose();
        Assert.Equal(1, shared.Taken["a"]);
        Assert.Equal(0, limiter.OpenStreams("a"));
    }

    [Fact]
    public async Task A_stream_waits_for_room_for_a_page_while_the_process_holds_its_most_pages()
    {
        using var limiter = new EventStreamLimiter(EventStreamSettings.Default with { MaxPagesInMemory = 1 });
        _feed.Append(1);
        var held = await limiter.EnterPageAsync(Token);
        using var stream = new SessionEventStream(_session.Id, _session.UserId, 0, _feed, _signal, _clock, EventStreamSettings.Default, limiter, (await limiter.TryAcquireAsync(_session.UserId, Token))!);
        await using var messages = stream.ReadAsync(Token).GetAsyncEnumerator(Token);

        var next = messages.MoveNextAsync().AsTask();
        await Task.Delay(200, Token);
        Assert.False(next.IsCompleted);
        Assert.Equal(0, _feed.Reads);

        held.Dispose();
        Assert.True(await next.WaitAsync(Patience, Token));
        Assert.Equal("e1", messages.Current.SessionEvent!.Type);
        Assert.Equal(1, limiter.PagesInMemory);
    }

    [Fact]
    public async Task A_page_is_held_until_its_last_event_is_taken_and_released_when_the_reader_stops()
    {
        using var limiter = new EventStreamLimiter(EventStreamSettings.Default);
        _feed.Append(3);
        var stream = new SessionEventStream(_session.Id, _session.UserId, 0, _feed, _signal, _clock, EventStreamSettings.Default, limiter, (await limiter.TryAcquireAsync(_session.UserId, Token))!);
        var messages = stream.ReadAsync(Token).GetAsyncEnumerator(Token);

        await TakeEventsAsync(messages, 2);
        Assert.Equal(1, limiter.PagesInMemory);
        await TakeEventsAsync(messages, 1);
        Assert.Equal(1, limiter.PagesInMemory);

        // A reader that stops (a client that went away, a write that timed out) gives the page back.
        await messages.DisposeAsync();
        stream.Dispose();
        Assert.Equal(0, limiter.PagesInMemory);
        Assert.Equal(0, limiter.OpenStreams(_session.UserId));
    }

    [Fact]
    public async Task A_page_cut_short_by_size_is_followed_at_once_asking_for_a_few_more_events_and_a_terminal_session_ends_after_the_last()
    {
        _feed.Append(10);
        _feed.CutAt = 2;
        _feed.Status = SessionStatus.Completed;
        using var stream = Open();

        var messages = await ReadAllAsync(stream);

        Assert.Equal(Enumerable.Range(1, 10).Select(n => $"e{n}"), messages.Where(m => m.Kind == EventStreamMessageKind.Event).Select(m => m.SessionEvent!.Type));
        Assert.Equal(EventStreamMessage.End("the session is completed"), messages[^1]);
        Assert.Equal(EventStreamSettings.BatchSize, _feed.Asked.First());
        Assert.All(_feed.Asked.Skip(1), asked => Assert.Equal(4, asked));
        Assert.Equal(Start, _clock.GetUtcNow());
    }

    private SessionEventStream Open() =>
        new(_session.Id, _session.UserId, 0, _feed, _signal, _clock, EventStreamSettings.Default, _limiter, new Slot());

    private static async Task<List<EventStreamMessage>> ReadAllAsync(SessionEventStream stream)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(Patience);
        var messages = new List<EventStreamMessage>();
        await foreach (var message in stream.ReadAsync(timeout.Token))
        {
            messages.Add(message);
        }

        return messages;
    }

    private static async Task<List<Application.Sessions.SessionEventDto>> TakeEventsAsync(IAsyncEnumerator<EventStreamMessage> messages, int count)
    {
        var events = new List<Application.Sessions.SessionEventDto>();
        while (events.Count < count)
        {
            Assert.True(await messages.MoveNextAsync().AsTask().WaitAsync(Patience, Token), "The stream ended early.");
            if (messages.Current.Kind == EventStreamMessageKind.Event)
            {
                events.Add(messages.Current.SessionEvent!);
            }
        }

        return events;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Waited {Patience.TotalSeconds:0} s for {what}, in vain.");
            await Task.Delay(20, Token);
        }
    }

    /// <summary>A stream slot that counts nothing (the limiter's own slots are tested on their own).</summary>
    private sealed class Slot : IDisposable
    {
        public void Dispose()
        {
        }
    }

    /// <summary>A shared count in memory, reachable or not.</summary>
    private sealed class FakeSharedSlots : ISharedStreamSlots
    {
        public Dictionary<string, int> Taken { get; } = [];

        public bool Reachable { get; set; } = true;

        public Task<bool?> TryAcquireAsync(string userId, string slotId, int limit, CancellationToken cancellationToken)
        {
            if (!Reachable)
            {
                return Task.FromResult<bool?>(null);
            }

            var taken = Taken.GetValueOrDefault(userId);
            if (taken >= limit)
            {
                return Task.FromResult<bool?>(false);
            }

            Taken[userId] = taken + 1;
            return Task.FromResult<bool?>(true);
        }

        public void Release(string userId, string slotId) => Taken[userId]--;
    }

    /// <summary>A session's log in memory, read as the database feed reads it.</summary>
    private sealed class FakeFeed(Session session) : ISessionEventFeed
    {
        private readonly ConcurrentQueue<SessionEvent> _log = new();
        private int _reads;

        public SessionStatus Status { get; set; } = SessionStatus.Intake;

        public bool Deleted { get; set; }

        public int Reads => Volatile.Read(ref _reads);

        public void Append(int count)
        {
            var numbered = _log.Count;
            for (var i = 1; i <= count; i++)
            {
                _log.Enqueue(session.AppendEvent($"e{numbered + i}", null, null, null, Start));
            }
        }

        /// <summary>Cuts every page at this many events, as large events cut a page by size.</summary>
        public int? CutAt { get; set; }

        /// <summary>How many events each read asked for.</summary>
        public ConcurrentQueue<int> Asked { get; } = new();

        public Task<SessionEventBatch?> ReadAsync(Guid sessionId, string userId, long afterSequence, int maxEvents, int maxChars, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            Asked.Enqueue(maxEvents);
            var after = _log.Where(e => e.Sequence > afterSequence).OrderBy(e => e.Sequence).ToArray();
            var page = after.Take(Math.Min(maxEvents, CutAt ?? maxEvents)).ToArray();
            return Task.FromResult(Deleted ? null : new SessionEventBatch(Status, session.ExpiresAt, page, HasMore: page.Length < after.Length));
        }

        // The stream of one session reads nothing else.
        public Task<Session?> GetSessionAsync(Guid sessionId, string userId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<SessionChangeMark>> ReadChangesAsync(string userId, DateTime since, int skip, int limit, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<long> LastSequenceAsync(Guid sessionId, DateTime at, bool inclusive, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
