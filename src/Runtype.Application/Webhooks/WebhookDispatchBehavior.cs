using Mediator;

namespace Runtype.Application.Webhooks;

/// <summary>
/// After a command that made deliveries due has committed (this behaviour runs outside the transaction), wakes the
/// dispatcher of this process. A command that fails, or whose transaction rolls back, wakes nothing: nothing is due.
/// </summary>
public sealed class WebhookDispatchBehavior<TMessage, TResponse>(WebhookDispatchRequest request, WebhookDispatchSignal signal)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IBaseCommand
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var response = await next(message, cancellationToken);
        if (request.Requested)
        {
            signal.Notify();
        }

        return response;
    }
}
