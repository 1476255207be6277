using Mediator;

namespace Runtype.Application.Common.Idempotency;

/// <summary>Deletes idempotency records older than the retention period; returns how many.</summary>
public sealed record PurgeIdempotencyRecords : ICommand<int>;

public sealed class PurgeIdempotencyRecordsHandler(IIdempotencyStore store, IdempotencySettings settings, TimeProvider clock)
    : ICommandHandler<PurgeIdempotencyRecords, int>
{
    public async ValueTask<int> Handle(PurgeIdempotencyRecords command, CancellationToken cancellationToken) =>
        await store.PurgeAsync(clock.GetUtcNow().UtcDateTime - settings.Retention, cancellationToken);
}
