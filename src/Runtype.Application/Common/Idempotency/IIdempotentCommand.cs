namespace Runtype.Application.Common.Idempotency;

/// <summary>A command that honours an <c>Idempotency-Key</c>: retried with the same key and body, it answers as the first time and writes nothing.</summary>
public interface IIdempotentCommand
{
    Caller Caller { get; }

    /// <summary>The client's key, or null when the request had none.</summary>
    string? IdempotencyKey { get; }
}
