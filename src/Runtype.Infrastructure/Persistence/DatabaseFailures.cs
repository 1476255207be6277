using Microsoft.EntityFrameworkCore.Storage;

namespace Runtype.Infrastructure.Persistence;

/// <summary>
/// Tells a database that cannot serve right now (busy, locked, unreachable, out of retries: a 503 with
/// <c>Retry-After</c>) from a bug (a 500). Each provider knows its own error codes (<see cref="IsUnavailableError"/>).
/// </summary>
public abstract class DatabaseFailures
{
    public bool IsUnavailable(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is RetryLimitExceededException || IsUnavailableError(current))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when this exception (one link of the chain) is the provider's way of saying "not now".</summary>
    protected abstract bool IsUnavailableError(Exception exception);
}
