using Runtype.Domain.Sessions;

namespace Runtype.Infrastructure.Sessions;

/// <summary>
/// How many sessions a user has in one persisted status: what <c>pagination.total</c> of <c>GET /sessions</c> is
/// computed from, instead of counting the user's rows. The database keeps it, in the same transaction as every
/// insert, status change and delete of a session (triggers on <c>sessions</c>, created by the SessionCounts migration
/// of each provider), whichever code or process writes the row.
/// </summary>
internal sealed class SessionCount
{
    private SessionCount()
    {
        UserId = null!;
    }

    public string UserId { get; private set; }

    public SessionStatus Status { get; private set; }

    public long Total { get; private set; }
}
