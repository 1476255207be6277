namespace Runtype.Application.Sessions.StreamSessionEvents;

/// <summary>
/// The bounds of the live streams of this process, in one place. Slots: the streams a user holds open at once
/// (<see cref="EventStreamSettings.MaxPerUser"/>), both kinds together: each open stream holds a connection and wakes
/// on the user's changes, so an unbounded number of them per user would be an easy way to load the service. With
/// <see cref="ISharedStreamSlots"/> (Redis) the cap counts the user's streams on every replica; without it, or while it
/// cannot be reached, the streams of this process. Pages: the pages of events all streams together hold in memory at
/// once (<see cref="EventStreamSettings.MaxPagesInMemory"/>; a page is bounded by <see cref="EventStreamSettings.PageChars"/>,
/// so what streams hold is bounded whatever their clients do; a stream whose client does not read holds its page
/// until its write times out).
/// </summary>
public sealed class EventStreamLimiter(EventStreamSettings settings, ISharedStreamSlots? shared = null) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _pages = new(settings.MaxPagesInMemory, settings.MaxPagesInMemory);

    /// <summary>A slot for one more stream of the user, released when disposed; null when the user is at the cap.</summary>
    public async Task<IDisposable?> TryAcquireAsync(string userId, CancellationToken cancellationToken)
    {
        var slotId = Guid.NewGuid().ToString("N");
        var counted = shared is null ? null : await shared.TryAcquireAsync(userId, slotId, settings.MaxPerUser, cancellationToken);
        if (counted == false)
        {
            return null;
        }

        lock (_gate)
        {
            var count = _open.GetValueOrDefault(userId);
            if (counted is null && count >= settings.MaxPerUser)
            {
                return null;
            }

            _open[userId] = count + 1;
        }

        return new Lease(() =>
        {
            Release(userId);
            if (counted == true)
            {
                shared!.Release(userId, slotId);
            }
        });
    }

    /// <summary>The streams the user holds open in this process.</summary>
    public int OpenStreams(string userId)
    {
        lock (_gate)
        {
            return _open.GetValueOrDefault(userId);
        }
    }

    /// <summary>Waits for room for one more page in memory; dispose the lease once the page is sent (or dropped).</summary>
    public async Task<IDisposable> EnterPageAsync(CancellationToken cancellationToken)
    {
        await _pages.WaitAsync(cancellationToken);
        return new Lease(() => _pages.Release());
    }

    /// <summary>The pages the streams of this process hold in memory now.</summary>
    public int PagesInMemory => settings.MaxPagesInMemory - _pages.CurrentCount;

    public void Dispose() => _pages.Dispose();

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

    /// <summary>Gives back what it holds once, however often it is disposed.</summary>
    private sealed class Lease(Action release) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                release();
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
