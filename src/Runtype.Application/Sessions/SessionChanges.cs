namespace Runtype.Application.Sessions;

/// <summary>A session that a committed transaction created, changed or deleted: which one, and whose.</summary>
public sealed record SessionChanged(Guid SessionId, string UserId);

/// <summary>
/// The sessions the current command's saves touched (one per request scope). The repository records each session it
/// saves; once the command's transaction has committed, <see cref="Common.SessionChangeNotificationBehavior{TMessage, TResponse}"/>
/// wakes the live streams of those sessions, here and on the other replicas. A unit of work that runs again after a
/// conflict records again: a session named twice wakes its streams once more, which costs one read.
/// </summary>
public sealed class ChangedSessions
{
    private readonly List<SessionChanged> _changes = [];

    public void Record(Guid sessionId, string userId) => _changes.Add(new SessionChanged(sessionId, userId));

    /// <summary>The sessions recorded so far, each once; the list is emptied.</summary>
    public IReadOnlyList<SessionChanged> Take()
    {
        if (_changes.Count == 0)
        {
            return [];
        }

        var taken = _changes.Distinct().ToList();
        _changes.Clear();
        return taken;
    }
}

/// <summary>
/// Tells the other replicas which sessions this process changed, so that their streams wake at once instead of at
/// their next poll (a shared backplane such as Redis). Best effort: what it fails to deliver the change feed finds.
/// </summary>
public interface ISessionChangeBroadcast
{
    void Publish(IReadOnlyList<SessionChanged> changes);
}
