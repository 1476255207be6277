using Mediator;
using Runtype.Application.Webhooks;

namespace Runtype.Application.Sessions.ExpireSessions;

/// <summary>
/// Persists expiry for up to <see cref="BatchSize"/> active sessions whose expiresAt has passed (status
/// <c>expired</c> with its status_changed event, in one transaction). Returns how many were expired.
/// </summary>
public sealed record ExpireSessions(int BatchSize) : ICommand<int>;

public sealed class ExpireSessionsHandler(ISessionRepository sessions, SessionWebhooks webhooks, TimeProvider clock) : ICommandHandler<ExpireSessions, int>
{
    public async ValueTask<int> Handle(ExpireSessions command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var expired = 0;
        foreach (var session in await sessions.FindDueForExpiryAsync(now, command.BatchSize, cancellationToken))
        {
            if (session.Expire(now))
            {
                await webhooks.ChangedAsync(session, now, cancellationToken);
                expired++;
            }
        }

        if (expired > 0)
        {
            await sessions.SaveChangesAsync(cancellationToken);
        }

        return expired;
    }
}
