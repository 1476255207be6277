using System.Runtime.CompilerServices;
using Runtype.Application.Sessions.StreamSessionEvents;

namespace Runtype.Application.Sessions.StreamSessionChanges;

/// <summary>
/// The live stream of all of a user's sessions: for each session created or changed, the events appended to it since
/// it was last sent, oldest first, then the session as it stands; for each session deleted, its id. Each session and
/// deletion carries its position (<see cref="ChangePosition"/>), the Last-Event-ID to resume after. Changes are found
/// in the order of their <c>updatedAt</c> (<see cref="ISessionEventFeed.ReadChangesAsync"/>); the stream reads when it
/// starts and each time <see cref="SessionChangeSignal"/> wakes it for the user, looking back
/// <see cref="EventStreamSettings.ChangeLookback"/> for changes that committed late, which it recognises by their
/// version. Heartbeats, the connection's maximum duration and the stream slot work as for one session's stream.
/// </summary>
public sealed class SessionChangeStream : IDisposable
{
    /// <summary>Changes read from the database per query.</summary>
    public const int PageSize = 100;

    private readonly string _userId;
    private readonly ChangePosition? _resumeAfter;
    private readonly ISessionEventFeed _feed;
    private readonly SessionChangeSignal _signal;
    private readonly TimeProvider _clock;
    private readonly EventStreamSettings _settings;
    private readonly EventStreamLimiter _limiter;
    private readonly IDisposable _slot;
    private readonly Dictionary<Guid, Sent> _sent = [];
    private SessionChangeSignal.Subscription? _subscription;
    private Task? _changed;
    private DateTimeOffset _openedAt;
    private ChangePosition _start;

    public SessionChangeStream(
        string userId, ChangePosition? resumeAfter, ISessionEventFeed feed, SessionChangeSignal signal, TimeProvider clock, EventStreamSettings settings,
        EventStreamLimiter limiter, IDisposable slot)
    {
        _userId = userId;
        _resumeAfter = resumeAfter;
        _feed = feed;
        _signal = signal;
        _clock = clock;
        _settings = settings;
        _limiter = limiter;
        _slot = slot;
    }

    public string UserId => _userId;

    /// <summary>
    /// Starts listening, then takes the starting point: after the Last-Event-ID, or for a fresh stream what stands now
    /// (the sessions changed lately are remembered as they are, so that only what commits after this call is sent).
    /// Done before the answer starts: a change the client makes once it sees the stream open is never taken for old.
    /// </summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        _subscription = _signal.SubscribeUser(_userId);
        _changed = _subscription.NextChange;
        _openedAt = _clock.GetUtcNow();
        if (_resumeAfter is { } resume)
        {
            _start = resume;
            return;
        }

        _start = new ChangePosition(_openedAt.UtcDateTime - EventStreamSettings.ChangeLookback, Guid.Empty);
        await foreach (var mark in ReadChangesAsync(_start.At, cancellationToken))
        {
            _sent[mark.SessionId] = new Sent(mark.At, mark.Version, mark.LastEventSequence, mark.Deleted);
        }
    }

    /// <summary>The messages to send, in order, until the connection's maximum duration; stops when <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<EventStreamMessage> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var subscription = _subscription ?? throw new InvalidOperationException("Open the stream first.");
        var changed = _changed!;
        var lastSent = _openedAt;
        var closeAt = _openedAt + _settings.MaxDuration;

        // What this connection has sent, per session (a fresh stream starts with what stood when it opened). Changes at
        // or before `start` the client had before this connection; `forgotten` moves on as old entries are dropped.
        var sent = _sent;
        var start = _start;
        var read = _resumeAfter is not null || changed.IsCompleted;
        var cursor = start;
        var forgotten = start;
        while (true)
        {
            if (read)
            {
                // Taken before the read: a change committed while the read runs still wakes the wait below.
                changed = subscription.NextChange;
                var since = cursor.At - EventStreamSettings.ChangeLookback;
                foreach (var old in sent.Where(e => e.Value.At < since).Select(e => e.Key).ToList())
                {
                    sent.Remove(old);
                    forgotten = ChangePosition.Max(forgotten, new ChangePosition(since, Guid.Empty));
                }

                await foreach (var mark in ReadChangesAsync(since, cancellationToken))
                {
                    long from;
                    if (sent.TryGetValue(mark.SessionId, out var was))
                    {
                        if (mark.Deleted ? was.Deleted : was.Deleted || was.Version >= mark.Version)
                        {
                            continue;
                        }

                        from = was.Sequence;
                    }
                    else if (mark.Position <= start)
                    {
                        continue;
                    }
                    else
                    {
                        // Never sent on this connection: its events after the later of the start and what was forgotten.
                        var boundary = ChangePosition.Max(start, forgotten);
                        from = mark.Deleted ? 0 : await _feed.LastSequenceAsync(
                            mark.SessionId, boundary.At, inclusive: string.CompareOrdinal(mark.SessionId.ToString("D"), boundary.SessionId.ToString("D")) <= 0, cancellationToken);
                    }

                    cursor = ChangePosition.Max(cursor, mark.Position);
                    if (mark.Deleted)
                    {
                        sent[mark.SessionId] = new Sent(mark.At, 0, 0, Deleted: true);
                        yield return EventStreamMessage.Deleted(mark.SessionId, _userId, cursor.ToString());
                        lastSent = _clock.GetUtcNow();
                        continue;
                    }

                    var session = await _feed.GetSessionAsync(mark.SessionId, _userId, cancellationToken);
                    if (session is null)
                    {
                        continue; // deleted meanwhile: its deletion is read next
                    }

                    // Its events up to the snapshot, a page at a time, then the snapshot.
                    // Each page (bounded by count and size) is held in room the limiter gives, as in one session's stream.
                    var more = true;
                    while (more && from < session.LastEventSequence)
                    {
                        using (await _limiter.EnterPageAsync(cancellationToken))
                        {
                            var batch = await _feed.ReadAsync(
                                session.Id, _userId, from, EventStreamSettings.BatchSize, EventStreamSettings.PageChars, cancellationToken);
                            more = batch?.HasMore == true;
                            foreach (var appended in batch?.Events ?? [])
                            {
                                if (appended.Sequence > session.LastEventSequence)
                                {
                                    more = false;
                                    break;
                                }

                                from = appended.Sequence;
                                yield return EventStreamMessage.EventOf(appended.ToDto());
                            }
                        }
                    }

                    sent[mark.SessionId] = new Sent(session.UpdatedAt, session.Version, session.LastEventSequence, Deleted: false);
                    yield return EventStreamMessage.Changed(session.ToDto(_clock.GetUtcNow()), cursor.ToString());
                    lastSent = _clock.GetUtcNow();
                }
            }

            // Idle until the user's sessions change; meanwhile only heartbeats and the end of the connection's time are sent.
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

            await SessionChangeSignal.WaitAsync(changed, TimeSpan.FromTicks(Math.Min((lastSent + _settings.HeartbeatInterval - now).Ticks, (closeAt - now).Ticks)), _clock, cancellationToken);
            read = changed.IsCompleted;
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _slot.Dispose();
    }

    /// <summary>Every change of the user's sessions at or after <paramref name="since"/>, page after page.</summary>
    private async IAsyncEnumerable<SessionChangeMark> ReadChangesAsync(DateTime since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (from, skip) = (since, 0);
        while (true)
        {
            var marks = await _feed.ReadChangesAsync(_userId, from, skip, PageSize, cancellationToken);
            foreach (var mark in marks)
            {
                yield return mark;
            }

            if (marks.Count < PageSize)
            {
                yield break;
            }

            // The next page starts at the last time read, past the changes at that time already read.
            var last = marks[^1].At;
            skip = (last == from ? skip : 0) + marks.Count(m => m.At == last);
            from = last;
        }
    }

    /// <summary>What was sent of one session: at which updatedAt (for forgetting it), version and last event; or that it was deleted.</summary>
    private readonly record struct Sent(DateTime At, long Version, long Sequence, bool Deleted);
}
