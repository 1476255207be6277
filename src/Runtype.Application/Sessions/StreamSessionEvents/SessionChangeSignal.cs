namespace Runtype.Application.Sessions.StreamSessionEvents;

/// <summary>
/// The wake-up calls of this process's live streams: a stream of one session listens for that session, a stream of
/// all of a user's sessions for that user. Whoever learns of a committed change notifies it here: this process's
/// commands once they commit (<see cref="Common.SessionChangeNotificationBehavior{TMessage, TResponse}"/>), the
/// process-wide change feed for what other processes committed, and the backplane of the replicas when one is
/// configured. A woken stream reads the database itself; a notification carries no data, so one too many costs a read
/// and one too few is made up by the change feed.
/// </summary>
public sealed class SessionChangeSignal
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Waiters> _sessions = [];
    private readonly Dictionary<string, Waiters> _users = new(StringComparer.Ordinal);

    /// <summary>Starts listening for changes of a session; dispose to stop.</summary>
    public Subscription Subscribe(Guid sessionId) => Subscribe(_sessions, sessionId);

    /// <summary>Starts listening for changes of any session of a user (created, changed, deleted); dispose to stop.</summary>
    public Subscription SubscribeUser(string userId) => Subscribe(_users, userId);

    /// <summary>Wakes every stream of the session, and every stream of its owner's sessions, that is waiting or about to wait.</summary>
    public void Notify(Guid sessionId, string userId)
    {
        TaskCompletionSource? session = null, user = null;
        lock (_gate)
        {
            if (_sessions.TryGetValue(sessionId, out var waiters))
            {
                session = waiters.Renew();
            }

            if (_users.TryGetValue(userId, out waiters))
            {
                user = waiters.Renew();
            }
        }

        session?.TrySetResult();
        user?.TrySetResult();
    }

    /// <summary>Whether any stream of this process listens for the session or its owner (the change feed wakes only those).</summary>
    public bool IsWatched(Guid sessionId, string userId)
    {
        lock (_gate)
        {
            return _sessions.ContainsKey(sessionId) || _users.ContainsKey(userId);
        }
    }

    /// <summary>Sessions with at least one listener (for diagnostics and tests).</summary>
    public int ListenedSessions
    {
        get
        {
            lock (_gate)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>
    /// Waits until <paramref name="change"/> completes or <paramref name="timeout"/> passes, whichever is first (at once
    /// when the timeout is not positive); throws when the caller gives up.
    /// </summary>
    public static async Task WaitAsync(Task change, TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero || change.IsCompleted)
        {
            return;
        }

        using var stopTimer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var elapsed = Task.Delay(timeout, clock, stopTimer.Token);
        await Task.WhenAny(change, elapsed);
        await stopTimer.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Subscription Subscribe<TKey>(Dictionary<TKey, Waiters> listeners, TKey key)
        where TKey : notnull
    {
        lock (_gate)
        {
            if (!listeners.TryGetValue(key, out var waiters))
            {
                listeners[key] = waiters = new Waiters();
            }

            waiters.Count++;
            return new Subscription(this, waiters, () =>
            {
                if (--waiters.Count == 0)
                {
                    listeners.Remove(key);
                }
            });
        }
    }

    /// <summary>One listener of one session or one user.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly SessionChangeSignal _signal;
        private readonly Waiters _waiters;
        private readonly Action _unsubscribe;
        private int _disposed;

        internal Subscription(SessionChangeSignal signal, Waiters waiters, Action unsubscribe)
        {
            _signal = signal;
            _waiters = waiters;
            _unsubscribe = unsubscribe;
        }

        /// <summary>
        /// Completes at the next change after this call. Take it before reading the database, wait on it after:
        /// a change that commits while the read runs then still wakes the stream.
        /// </summary>
        public Task NextChange
        {
            get
            {
                lock (_signal._gate)
                {
                    return _waiters.Changed.Task;
                }
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                lock (_signal._gate)
                {
                    _unsubscribe();
                }
            }
        }
    }

    internal sealed class Waiters
    {
        public int Count { get; set; }

        public TaskCompletionSource Changed { get; private set; } = NewSource();

        /// <summary>The source to complete now; later waiters get a new one.</summary>
        public TaskCompletionSource Renew()
        {
            var changed = Changed;
            Changed = NewSource();
            return changed;
        }
    }
}
