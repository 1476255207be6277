namespace Runtype.Application.Sessions.StreamSessionEvents;

/// <summary>
/// In-process wake-up calls for the live streams: after a command that changed a session commits, the streams
/// of that session in this process poll at once instead of at their next interval. Changes made by other
/// processes (other replicas, the expiry sweeper) are not signalled here; the streams find them by polling.
/// </summary>
public sealed class SessionChangeSignal
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Waiters> _sessions = [];

    /// <summary>Starts listening for changes of a session; dispose to stop.</summary>
    public Subscription Subscribe(Guid sessionId)
    {
        lock (_gate)
        {
            if (!_sessions.TryGetValue(sessionId, out var waiters))
            {
                _sessions[sessionId] = waiters = new Waiters();
            }

            waiters.Count++;
            return new Subscription(this, sessionId, waiters);
        }
    }

    /// <summary>Wakes every stream of the session that is waiting or about to wait.</summary>
    public void Notify(Guid sessionId)
    {
        TaskCompletionSource? changed = null;
        lock (_gate)
        {
            if (_sessions.TryGetValue(sessionId, out var waiters))
            {
                changed = waiters.Changed;
                waiters.Changed = NewSource();
            }
        }

        changed?.TrySetResult();
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

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Unsubscribe(Guid sessionId, Waiters waiters)
    {
        lock (_gate)
        {
            if (--waiters.Count == 0)
            {
                _sessions.Remove(sessionId);
            }
        }
    }

    /// <summary>One listener of one session.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly SessionChangeSignal _signal;
        private readonly Guid _sessionId;
        private readonly Waiters _waiters;
        private int _disposed;

        internal Subscription(SessionChangeSignal signal, Guid sessionId, Waiters waiters)
        {
            _signal = signal;
            _sessionId = sessionId;
            _waiters = waiters;
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
                _signal.Unsubscribe(_sessionId, _waiters);
            }
        }
    }

    internal sealed class Waiters
    {
        public int Count { get; set; }

        public TaskCompletionSource Changed { get; set; } = NewSource();
    }
}
