using Mediator;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.StreamSessionEvents;

namespace Runtype.Application.Common;

/// <summary>
/// After a command that changes a session has succeeded (its transaction committed: this behaviour runs outside
/// <see cref="TransactionBehavior{TMessage, TResponse}"/>), wakes this process's live streams of that session.
/// </summary>
public sealed class SessionChangeNotificationBehavior<TMessage, TResponse>(SessionChangeSignal signal)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IBaseCommand, ISessionChange
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var response = await next(message, cancellationToken);
        signal.Notify(message.SessionId);
        return response;
    }
}
