namespace Runtype.Application.Sessions.StreamSessionEvents;

/// <summary>
/// Caps the live streams a user holds open at once in this process (<see cref="EventStreamSettings.MaxPerUser"/>):
/// each stream polls the database, so an unbounded number of them per user would be an easy way to load it.
/// </summary>
public sealed class EventStreamLimiter(EventStreamSettings settings)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>A slot for one more stream of the user, released when disposed; null when the user is at the cap.</summary>
    public IDisposable? TryAcquire(string userId)
    {
        lock (_gate)
        {
            var count = _open.GetValueOrDefault(userId);
            if (count >= settings.MaxPerUser)
            {
                return null;
            }

            _open[userId] = count + 1;
            return new Lease(this, userId);
        }
    }

    /// <summary>The streams the user holds open in this process.</summary>
    public int OpenStreams(string userId)
    {
        lock (_gate)
        {
            return _open.GetValueOrDefault(userId);
        }
    }

    private void Release(string userId)
    {
        lock (_gate)
        {
            var count = _open.GetValueOrDefault(userId) - 1;
            if (count <= 0)
            {
                _open.Remove(userId);
            }
            else
            {
                _open[userId] = count;
            }
        }
    }

    private sealed class Lease(EventStreamLimiter limiter, string userId) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                limiter.Release(userId);
            }
        }
    }
}

/// <summary>The caller already holds the most live streams allowed; one must close before another opens.</summary>
public sealed class TooManyStreamsException(int limit, TimeSpan retryAfter)
    : Exception($"You already have {limit} live event streams open, the most allowed at once. Close one, or retry later.")
{
    public int Limit { get; } = limit;

    public TimeSpan RetryAfter { get; } = retryAfter;
}
