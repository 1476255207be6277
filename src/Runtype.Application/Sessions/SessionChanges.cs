namespace Runtype.Application.Sessions;

/// <summary>
/// A session that a committed transaction created, changed or deleted: which one, whose, and its version and
/// <c>updatedAt</c> after the change (for a deletion: version 0 and when it was deleted). The version tells one change
/// of a session from the next, wherever the news of it comes from.
/// </summary>
public sealed record SessionChanged(Guid SessionId, string UserId, long Version, DateTime At, bool Deleted);

/// <summary>
/// The sessions the current command's saves touched (one per request scope). The repository records each session it
/// saves; once the command's transaction has committed, <see cref="Common.SessionChangeNotificationBehavior{TMessage, TResponse}"/>
/// wakes this process's live streams of those sessions and tells the <see cref="ISessionChangeObserver"/>s. A unit of
/// work that runs again after a conflict records again: only the last record of a session counts.
/// </summary>
public sealed class ChangedSessions
{
    private readonly Dictionary<Guid, SessionChanged> _changes = [];

    public void Record(SessionChanged change) => _changes[change.SessionId] = change;

    /// <summary>The sessions recorded so far; the list is emptied.</summary>
    public IReadOnlyList<SessionChanged> Take()
    {
        if (_changes.Count == 0)
        {
            return [];
        }

        var taken = _changes.Values.ToList();
        _changes.Clear();
        return taken;
    }
}

/// <summary>
/// Told of the session changes this process committed, right after the commit: the process's change feed (which then
/// need not wake the streams again for them) and, when configured, the replicas' backplane (which tells the other
/// replicas at once). Must not block: a request waits for it.
/// </summary>
public interface ISessionChangeObserver
{
    void OnCommitted(IReadOnlyList<SessionChanged> changes);
}
