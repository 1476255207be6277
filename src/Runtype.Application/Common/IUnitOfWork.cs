namespace Runtype.Application.Common;

/// <summary>
/// Runs one write as one database transaction. When a concurrent writer saved the same row first
/// (a <see cref="ConcurrencyConflictException"/>), the whole work is run again on fresh state, a bounded
/// number of times: an update is never lost and never merged blindly.
/// </summary>
public interface IUnitOfWork
{
    Task<T> InTransactionAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken);
}
