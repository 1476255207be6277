namespace Runtype.Application.Common.Idempotency;

/// <summary>
/// The first successful answer to an idempotent command, kept per user and key in the same transaction as the
/// command's own writes. <see cref="Fingerprint"/> identifies the request it answered.
/// </summary>
public sealed class IdempotencyRecord
{
    public const int KeyLength = 255;

    private IdempotencyRecord()
    {
        UserId = null!;
        Key = null!;
        Fingerprint = null!;
        Response = null!;
    }

    public IdempotencyRecord(string userId, string key, string fingerprint, string response, DateTime createdAt)
    {
        UserId = userId;
        Key = key;
        Fingerprint = fingerprint;
        Response = response;
        CreatedAt = createdAt;
    }

    public string UserId { get; private set; }

    public string Key { get; private set; }

    /// <summary>SHA-256 (hex) of the command, caller and arguments: what "the same request" means.</summary>
    public string Fingerprint { get; private set; }

    /// <summary>The answer, as JSON.</summary>
    public string Response { get; private set; }

    public DateTime CreatedAt { get; private set; }

    /// <summary>Reuses a record whose retention has passed for a new request with the same key.</summary>
    public void Replace(string fingerprint, string response, DateTime createdAt)
    {
        Fingerprint = fingerprint;
        Response = response;
        CreatedAt = createdAt;
    }
}
