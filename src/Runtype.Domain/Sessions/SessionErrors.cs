using Runtype.Domain.Common;

namespace Runtype.Domain.Sessions;

/// <summary>The requested status cannot be reached from the current one.</summary>
public sealed class InvalidStatusTransition(SessionStatus from, SessionStatus to)
    : DomainException($"A session in status '{from.ToWire()}' cannot move to '{to.ToWire()}'.")
{
    public SessionStatus From { get; } = from;

    public SessionStatus To { get; } = to;

    public IReadOnlyList<SessionStatus> Allowed { get; } = SessionLifecycle.NextStatuses(from);
}

/// <summary>The session is in a terminal status; it can be read and deleted, never changed.</summary>
public sealed class SessionIsReadOnly(SessionStatus status)
    : DomainException($"The session is '{status.ToWire()}', a terminal status: it is read-only.")
{
    public SessionStatus Status { get; } = status;
}

/// <summary>The session's <c>expiresAt</c> has passed; it can be read and deleted, never changed.</summary>
public sealed class SessionExpired(DateTime expiresAt)
    : DomainException($"The session expired at {expiresAt:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}: it is read-only.")
{
    public DateTime ExpiresAt { get; } = expiresAt;
}

/// <summary>A client's <c>productObjectHash</c> check does not match the hash the server computes.</summary>
public sealed class ProductObjectHashMismatch(string? expected, string? actual)
    : DomainException(actual is null
        ? "productObjectHash does not match: the session would have no productObject, so its hash is null."
        : $"productObjectHash does not match the server's hash of the productObject ({actual}).")
{
    public string? Expected { get; } = expected;

    public string? Actual { get; } = actual;
}

/// <summary>A productObject that has no canonical form (RFC 8785): a number out of range or an invalid string.</summary>
public sealed class InvalidProductObject(string reason)
    : DomainException($"productObject cannot be canonicalized: {reason}");

/// <summary>Clients may not append the events the server writes itself.</summary>
public sealed class ReservedEventType(string type)
    : DomainException($"The event type '{type}' is reserved for events written by the server.");
