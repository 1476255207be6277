namespace Runtype.Application.Sessions.StreamSessionEvents;

/// <summary>
/// The stream slots of every replica, counted in one place (Redis), so that <see cref="EventStreamSettings.MaxPerUser"/>
/// holds for a user whichever replicas their streams reach. A slot is held under a lease that this process renews
/// while the stream is open: the slots of a process that died free themselves.
/// </summary>
public interface ISharedStreamSlots
{
    /// <summary>
    /// Takes slot <paramref name="slotId"/> for the user unless they hold <paramref name="limit"/> already: true when
    /// taken, false at the cap, null when the shared count cannot be reached now (the process then counts alone).
    /// </summary>
    Task<bool?> TryAcquireAsync(string userId, string slotId, int limit, CancellationToken cancellationToken);

    /// <summary>Gives the slot back (best effort: an unreachable count lets its lease run out).</summary>
    void Release(string userId, string slotId);
}
