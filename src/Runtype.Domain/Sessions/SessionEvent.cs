namespace Runtype.Domain.Sessions;

/// <summary>
/// One entry of a session's append-only log. <see cref="Sequence"/> orders a session's events in commit
/// order (it is taken from the session row inside the appending transaction), so "after event X" is exact.
/// </summary>
public sealed class SessionEvent
{
    public const string EmptyPayload = "{}";

    private SessionEvent()
    {
        UserId = null!;
        Type = null!;
        Payload = EmptyPayload;
    }

    internal SessionEvent(Session session, long sequence, string type, string? stage, string? message, string? payload, DateTime createdAt)
    {
        Id = Guid.CreateVersion7(createdAt);
        SessionId = session.Id;
        Sequence = sequence;
        UserId = session.UserId;
        OrganizationId = session.OrganizationId;
        Type = type;
        Stage = stage;
        Message = message;
        Payload = payload ?? EmptyPayload;
        CreatedAt = createdAt;
    }

    public Guid Id { get; private set; }

    public Guid SessionId { get; private set; }

    public long Sequence { get; private set; }

    public string UserId { get; private set; }

    public string? OrganizationId { get; private set; }

    public string Type { get; private set; }

    public string? Stage { get; private set; }

    public string? Message { get; private set; }

    /// <summary>The payload object's JSON text, exactly as received; <c>{}</c> when none was sent.</summary>
    public string Payload { get; private set; }

    public DateTime CreatedAt { get; private set; }
}
