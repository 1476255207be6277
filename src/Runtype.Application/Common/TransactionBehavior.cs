using Mediator;

namespace Runtype.Application.Common;

/// <summary>Every command runs in one transaction, retried on fresh state after a concurrency conflict.</summary>
public sealed class TransactionBehavior<TMessage, TResponse>(IUnitOfWork unitOfWork)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IBaseCommand
{
    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken) =>
        new(unitOfWork.InTransactionAsync(ct => next(message, ct).AsTask(), cancellationToken));
}
