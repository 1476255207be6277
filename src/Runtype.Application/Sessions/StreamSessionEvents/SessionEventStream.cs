using System.Runtime.CompilerServices;
using Runtype.Domain.Sessions;

namespace Runtype.Application.Sessions.StreamSessionEvents;

/// <summary>
/// The live stream of one session's events: first the events after the starting position, then each new one as
/// it is committed, until the session is terminal (completed, failed, cancelled, expired) or deleted and every
/// event has been sent. It reads the database through <see cref="ISessionEventFeed"/> when it starts and each time
/// <see cref="SessionChangeSignal"/> wakes it (a command of this process, the process-wide change feed or the
/// replicas' backplane); an idle stream reads nothing and holds no database connection. It wakes by itself only at
/// the session's expiry. When nothing was sent for <see cref="EventStreamSettings.HeartbeatInterval"/> it yields a
/// heartbeat; after <see cref="EventStreamSettings.MaxDuration"/> it asks the client to reconnect (which
/// authenticates it again). It reads the log a page at a time, bounded by count and by size, each page in room the
/// <see cref="EventStreamLimiter"/> gives. Disposing it frees the user's stream slot.
/// </summary>
public sealed class SessionEventStream : IDisposable
{
    private readonly string _userId;
    private readonly long _afterSequence;
    private readonly ISessionEventFeed _feed;
    private readonly SessionChangeSignal _signal;
    private readonly TimeProvider _clock;
    private readonly EventStreamSettings _settings;
    private readonly EventStreamLimiter _limiter;
    private readonly IDisposable _slot;

    public SessionEventStream(
        Guid sessionId,
        string userId,
        long afterSequence,
        ISessionEventFeed feed,
        SessionChangeSignal signal,
        TimeProvider clock,
        EventStreamSettings settings,
        EventStreamLimiter limiter,
        IDisposable slot)
    {
        SessionId = sessionId;
        _userId = userId;
        _afterSequence = afterSequence;
        _feed = feed;
        _signal = signal;
        _clock = clock;
        _settings = settings;
        _limiter = limiter;
        _slot = slot;
    }

    public Guid SessionId { get; }

    /// <summary>The messages to send, in order. Ends by itself at the end of the session; stops when <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<EventStreamMessage> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var subscription = _signal.Subscribe(SessionId);
        var after = _afterSequence;
        var lastSent = _clock.GetUtcNow();
        var closeAt = lastSent + _settings.MaxDuration;
        var pageEvents = EventStreamSettings.BatchSize;
        while (true)
        {
            // Taken before the read: a change committed while the read runs still wakes the wait below.
            var changed = subscription.NextChange;
            var readAt = _clock.GetUtcNow();
            SessionEventBatch? batch;

            // Room for the page first (all streams of the process share it), held until its last event is sent: a
            // client that does not read holds at most this page, until the write to it times out.
            using (await _limiter.EnterPageAsync(cancellationToken))
            {
                batch = await _feed.ReadAsync(SessionId, _userId, after, pageEvents, EventStreamSettings.PageChars, cancellationToken);
                if (batch is null)
                {
                    yield return EventStreamMessage.End("the session was deleted");
                    yield break;
                }

                foreach (var appended in batch.Events)
                {
                    after = appended.Sequence;
                    yield return EventStreamMessage.Event(appended.ToDto());
                }
            }

            if (batch.Events.Count > 0)
            {
                lastSent = _clock.GetUtcNow();
            }

            if (batch.HasMore)
            {
                // A page cut short by size had large events: ask for a few more than it held next time, not a whole
                // batch, so that the feed does not size up a hundred large events to send one.
                pageEvents = batch.Events.Count < pageEvents ? Math.Min(EventStreamSettings.BatchSize, batch.Events.Count * 2) : EventStreamSettings.BatchSize;
                continue;
            }

            pageEvents = EventStreamSettings.BatchSize;

            // The status was read before the events: if the session was already over then, nothing can follow them.
            var status = Session.HasExpired(batch.Status, batch.ExpiresAt, readAt) ? SessionStatus.Expired : batch.Status;
            if (SessionLifecycle.IsTerminal(status))
            {
                yield return EventStreamMessage.End($"the session is {status.ToWire()}");
                yield break;
            }

            // Idle until a change is signalled, or until the session's expiry (which nothing may signal) is due; meanwhile
            // only heartbeats and the end of the connection's time are sent, and nothing is read.
            while (true)
            {
                var now = _clock.GetUtcNow();
                if (now >= closeAt)
                {
                    yield return EventStreamMessage.Reconnect;
                    yield break;
                }

                if (now - lastSent >= _settings.HeartbeatInterval)
                {
                    yield return EventStreamMessage.Heartbeat;
                    lastSent = now = _clock.GetUtcNow();
                }

                var expiry = new DateTimeOffset(DateTime.SpecifyKind(batch.ExpiresAt, DateTimeKind.Utc));
                await SessionChangeSignal.WaitAsync(changed, Shortest(expiry - now, lastSent + _settings.HeartbeatInterval - now, closeAt - now), _clock, cancellationToken);
                if (changed.IsCompleted || _clock.GetUtcNow() >= expiry)
                {
                    break;
                }
            }
        }
    }

    public void Dispose() => _slot.Dispose();

    private static TimeSpan Shortest(TimeSpan a, TimeSpan b, TimeSpan c) => TimeSpan.FromTicks(Math.Min(a.Ticks, Math.Min(b.Ticks, c.Ticks)));
}

/// <summary>
/// One thing a live stream sends: an event, a heartbeat, a request to reconnect, or the end (with why it ended); the
/// stream of all of a user's sessions also sends session snapshots and deletions, each with its resume position.
/// </summary>
public sealed record EventStreamMessage
{
    private EventStreamMessage(EventStreamMessageKind kind, SessionEventDto? sessionEvent = null, string? reason = null, SessionDto? session = null, DeletedSessionDto? deletion = null, string? position = null)
    {
        Kind = kind;
        SessionEvent = sessionEvent;
        Reason = reason;
        Session = session;
        Deletion = deletion;
        Position = position;
    }

    public static EventStreamMessage Heartbeat { get; } = new(EventStreamMessageKind.Heartbeat);

    /// <summary>This connection has lasted long enough: the client should reconnect with Last-Event-ID. Not the end of the session's events.</summary>
    public static EventStreamMessage Reconnect { get; } = new(EventStreamMessageKind.Reconnect);

    public EventStreamMessageKind Kind { get; }

    /// <summary>The event, for <see cref="EventStreamMessageKind.Event"/> and <see cref="EventStreamMessageKind.SessionEvent"/>.</summary>
    public SessionEventDto? SessionEvent { get; }

    /// <summary>Why the stream ended, for <see cref="EventStreamMessageKind.End"/>.</summary>
    public string? Reason { get; }

    /// <summary>The session as it stands, for <see cref="EventStreamMessageKind.Session"/>.</summary>
    public SessionDto? Session { get; }

    /// <summary>The deleted session, for <see cref="EventStreamMessageKind.SessionDeleted"/>.</summary>
    public DeletedSessionDto? Deletion { get; }

    /// <summary>Where a client resumes after this message (its Last-Event-ID), for the messages that have one.</summary>
    public string? Position { get; }

    public static EventStreamMessage Event(SessionEventDto sessionEvent) => new(EventStreamMessageKind.Event, sessionEvent);

    public static EventStreamMessage End(string reason) => new(EventStreamMessageKind.End, reason: reason);

    /// <summary>An event of one of the user's sessions, in the stream of all of them (sent before that session's snapshot).</summary>
    public static EventStreamMessage EventOf(SessionEventDto sessionEvent) => new(EventStreamMessageKind.SessionEvent, sessionEvent);

    /// <summary>A session created or changed, as it stands now.</summary>
    public static EventStreamMessage Changed(SessionDto session, string position) => new(EventStreamMessageKind.Session, session: session, position: position);

    /// <summary>A session deleted.</summary>
    public static EventStreamMessage Deleted(Guid sessionId, string userId, string position) =>
        new(EventStreamMessageKind.SessionDeleted, deletion: new DeletedSessionDto(sessionId, userId), position: position);
}

/// <summary>What the stream of all of a user's sessions sends for a deleted session.</summary>
public sealed record DeletedSessionDto(Guid Id, string UserId);

public enum EventStreamMessageKind
{
    Event,
    Heartbeat,
    Reconnect,
    End,
    SessionEvent,
    Session,
    SessionDeleted,
}
