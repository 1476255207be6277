using Mediator;
using Runtype.Application.Common.Telemetry;

namespace Runtype.Application.Common;

/// <summary>
/// Every command runs in one transaction, retried on fresh state after a concurrency conflict. The measurements of its
/// writes are recorded once it has committed (<see cref="PendingMeasurements"/>).
/// </summary>
public sealed class TransactionBehavior<TMessage, TResponse>(IUnitOfWork unitOfWork, PendingMeasurements measurements)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IBaseCommand
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var response = await unitOfWork.InTransactionAsync(
            ct =>
            {
                measurements.Discard();
                return next(message, ct).AsTask();
            },
            cancellationToken);
        measurements.Commit();
        return response;
    }
}
