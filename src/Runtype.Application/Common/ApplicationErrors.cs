namespace Runtype.Application.Common;

/// <summary>The resource does not exist, or belongs to someone else: the two are reported alike.</summary>
public sealed class NotFoundException(string resource, object id)
    : Exception($"No {resource} with id '{id}' was found.")
{
    public string Resource { get; } = resource;
}

/// <summary>An <c>If-Match</c> precondition named a version the resource no longer has.</summary>
public sealed class PreconditionFailedException(long currentVersion)
    : Exception("The session has changed since the ETag given in If-Match was read.")
{
    public long CurrentVersion { get; } = currentVersion;

    /// <summary>
    /// The <c>If-Match</c> check of every conditional write: <paramref name="ifMatch"/> holds the versions the header
    /// accepts (null: no precondition); none of them being <paramref name="currentVersion"/> fails the write.
    /// </summary>
    public static void ThrowUnlessMatched(IReadOnlyCollection<long>? ifMatch, long currentVersion)
    {
        if (ifMatch is not null && !ifMatch.Contains(currentVersion))
        {
            throw new PreconditionFailedException(currentVersion);
        }
    }
}

/// <summary>Another writer saved the same row first, again and again: the change was not applied.</summary>
public sealed class ConcurrencyConflictException(Exception? inner = null)
    : Exception("The session was changed by another request at the same time; the change was not applied. Retry it.", inner);
