using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.StreamSessionEvents;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Infrastructure.Sessions;

/// <summary>
/// The one change feed of the process: how its live streams learn of what other processes committed (other replicas,
/// their sweepers, a batch job). Every <see cref="EventStreamSettings.PollInterval"/> one query (<see cref="QueryTag"/>)
/// reads the sessions changed and deleted since the newest change it has seen, looking back
/// <see cref="EventStreamSettings.ChangeLookback"/> for transactions that committed late; each change it has not seen
/// (by version) wakes the streams that watch that session or its owner, and only those. However many streams are
/// open, that is one query per interval. Where the provider pushes changes itself (<see cref="ISessionChangeListener"/>,
/// PostgreSQL's LISTEN/NOTIFY) the feed does not poll while the listener listens, except once each time it starts
/// listening, for what committed while it did not. Whatever tells of a change (the poll, the listener, the replicas'
/// backplane) goes through <see cref="Deliver"/>, and this process's own commits are marked seen
/// (<see cref="OnCommitted"/>): each change wakes a stream once, however many of them report it.
/// </summary>
internal sealed partial class SessionChangeFeed(
    IServiceScopeFactory scopes,
    SessionChangeSignal signal,
    EventStreamSettings settings,
    TimeProvider clock,
    ILogger<SessionChangeFeed> logger,
    ISessionChangeListener? listener = null)
    : BackgroundService, ISessionChangeObserver
{
    /// <summary>The tag (a leading SQL comment) of the feed's query, so that it can be told from any other.</summary>
    public const string QueryTag = "runtype: session change feed";

    /// <summary>How long a listener's connection may be dead before it notices (its keepalive), with room to spare.</summary>
    private static readonly TimeSpan ListenerSilence = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, (DateTime At, long Version, bool Deleted)> _seen = [];
    private DateTime? _newest;
    private bool _failing;
    private int _pollNow;
    private CancellationTokenSource? _waiting;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listening = listener?.RunAsync(Deliver, stoppingToken) ?? Task.CompletedTask;
        long polledEpoch = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var epoch = listener?.ListeningEpoch ?? 0;
            if (epoch == 0 || epoch != polledEpoch || Interlocked.Exchange(ref _pollNow, 0) == 1)
            {
                if (await TryPollAsync(stoppingToken))
                {
                    polledEpoch = epoch;
                }
            }
            else
            {
                // Listening: what commits now is pushed. Should the connection die unnoticed (until its keepalive fails),
                // the poll after it reads back far enough to cover that time.
                var covered = clock.GetUtcNow().UtcDateTime - ListenerSilence;
                lock (_gate)
                {
                    _newest = _newest is { } newest && newest > covered ? newest : covered;
                }

                Forget();
            }

            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            lock (_gate)
            {
                _waiting = waiting;
            }

            try
            {
                if (Volatile.Read(ref _pollNow) == 0)
                {
                    await Task.Delay(settings.PollInterval, clock, waiting.Token);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (OperationCanceledException)
            {
                // PollNow: the next round runs at once.
            }
            finally
            {
                lock (_gate)
                {
                    _waiting = null;
                }
            }
        }

        await listening;
    }

    /// <summary>One round: reads the changes since the newest seen and wakes the streams of those not seen yet.</summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        DateTime since;
        lock (_gate)
        {
            since = (_newest ?? clock.GetUtcNow().UtcDateTime) - EventStreamSettings.ChangeLookback;
        }

        List<SessionChangeReads.ChangeRow> rows;
        await using (var scope = await DatabaseScope.OpenAsync(scopes, cancellationToken))
        {
            var db = scope.Get<RuntypeDbContext>();
            rows = await SessionChangeReads.Since(db, since).TagWith(QueryTag).ToListAsync(cancellationToken);
        }

        foreach (var row in rows)
        {
            Deliver(new SessionChanged(row.SessionId, row.UserId, row.Version, row.At, row.Deleted));
        }

        lock (_gate)
        {
            _newest ??= since + EventStreamSettings.ChangeLookback;
        }

        Forget();
    }

    /// <summary>The changes seen and remembered (for tests: the memory stays bounded).</summary>
    internal int SeenCount
    {
        get
        {
            lock (_gate)
            {
                return _seen.Count;
            }
        }
    }

    /// <summary>Forgets the changes no poll will read again: those older than the lookback before the newest one.</summary>
    private void Forget()
    {
        lock (_gate)
        {
            if (_newest is not { } newest)
            {
                return;
            }

            var forget = newest - EventStreamSettings.ChangeLookback;
            foreach (var old in _seen.Where(s => s.Value.At < forget).Select(s => s.Key).ToList())
            {
                _seen.Remove(old);
            }
        }
    }

    /// <summary>
    /// Runs the next round now rather than at the end of the interval (the backplane, once Redis is back: what other
    /// replicas published meanwhile was lost).
    /// </summary>
    public void PollNow()
    {
        Interlocked.Exchange(ref _pollNow, 1);
        lock (_gate)
        {
            _waiting?.Cancel();
        }
    }

    /// <summary>A change learnt of (polled, pushed by the database, or from another replica): wakes its streams unless already seen.</summary>
    public void Deliver(SessionChanged change)
    {
        if (See(change))
        {
            signal.Notify(change.SessionId, change.UserId);
        }
    }

    /// <summary>This process's own commits: their streams were woken already; the poll that finds them need not again.</summary>
    public void OnCommitted(IReadOnlyList<SessionChanged> changes)
    {
        foreach (var change in changes)
        {
            See(change);
        }
    }

    /// <summary>Records the change; false when it was seen already (the same version of the session, or its deletion).</summary>
    private bool See(SessionChanged change)
    {
        lock (_gate)
        {
            if (_seen.TryGetValue(change.SessionId, out var seen)
                && (change.Deleted ? seen.Deleted : seen.Deleted || seen.Version >= change.Version))
            {
                return false;
            }

            _seen[change.SessionId] = (change.At, change.Version, change.Deleted);
            if (_newest is null || change.At > _newest)
            {
                _newest = change.At;
            }

            return true;
        }
    }

    private async Task<bool> TryPollAsync(CancellationToken stoppingToken)
    {
        try
        {
            await PollAsync(stoppingToken);
            if (_failing)
            {
                _failing = false;
                LogRecovered(logger);
            }

            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // Streams then wait for the next round (or for this process's own changes); said once, not every round.
            if (!_failing)
            {
                _failing = true;
                LogFailed(logger, ex);
            }

            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The session change feed cannot read the database; live streams learn of other processes' changes again once it can")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "The session change feed reads the database again")]
    private static partial void LogRecovered(ILogger logger);
}

/// <summary>
/// A provider's own push of committed session changes (PostgreSQL: LISTEN/NOTIFY, sent by a trigger in the committing
/// transaction), which the change feed uses in place of polling while it listens.
/// </summary>
internal interface ISessionChangeListener
{
    /// <summary>Nonzero while listening: a new number each time listening (re)starts; 0 while not listening.</summary>
    long ListeningEpoch { get; }

    /// <summary>Listens until <paramref name="cancellationToken"/> fires, reconnecting by itself; calls <paramref name="deliver"/> for each change.</summary>
    Task RunAsync(Action<SessionChanged> deliver, CancellationToken cancellationToken);
}
