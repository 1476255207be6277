namespace Runtype.Application.Common.Idempotency;

/// <summary>Configuration <c>Idempotency:*</c>.</summary>
public sealed record IdempotencySettings(TimeSpan Retention)
{
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromHours(24);
}

/// <summary>Per request: whether the answer was replayed from an earlier request with the same key.</summary>
public sealed class IdempotencyOutcome
{
    public bool Replayed { get; set; }
}

/// <summary>The key was used before, by this user, for a different request.</summary>
public sealed class IdempotencyKeyReusedException()
    : Exception("This Idempotency-Key was already used with a different request. Use a new key for a new request.");
