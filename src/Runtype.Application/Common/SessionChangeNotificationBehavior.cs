using Mediator;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.StreamSessionEvents;

namespace Runtype.Application.Common;

/// <summary>
/// After a command has succeeded (its transaction committed: this behaviour runs outside
/// <see cref="TransactionBehavior{TMessage, TResponse}"/>), wakes this process's live streams of the sessions it
/// created, changed or deleted, and tells the <see cref="ISessionChangeObserver"/>s (the change feed, the backplane).
/// </summary>
public sealed class SessionChangeNotificationBehavior<TMessage, TResponse>(
    ChangedSessions changed, SessionChangeSignal signal, IEnumerable<ISessionChangeObserver> observers)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IBaseCommand
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var response = await next(message, cancellationToken);
        var committed = changed.Take();
        if (committed.Count > 0)
        {
            foreach (var change in committed)
            {
                signal.Notify(change.SessionId, change.UserId);
            }

            foreach (var observer in observers)
            {
                observer.OnCommitted(committed);
            }
        }

        return response;
    }
}
