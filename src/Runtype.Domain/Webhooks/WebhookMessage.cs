namespace Runtype.Domain.Webhooks;

/// <summary>
/// One thing that happened, as it is sent to every endpoint subscribed to its type: the body is written once, when the
/// change that caused it commits, and every attempt to every endpoint sends exactly this text.
/// </summary>
public sealed class WebhookMessage
{
    /// <summary>What the <c>webhook-id</c> header (and a delivery's <c>messageId</c>) puts before the message's id.</summary>
    public const string IdPrefix = "msg_";

    private WebhookMessage()
    {
        UserId = null!;
        EventType = null!;
        Body = null!;
    }

    private WebhookMessage(Guid id, string userId, string eventType, string body, DateTime createdAt)
    {
        Id = id;
        UserId = userId;
        EventType = eventType;
        Body = body;
        CreatedAt = createdAt;
    }

    public Guid Id { get; private set; }

    public string UserId { get; private set; }

    public string EventType { get; private set; }

    /// <summary>The JSON body: <c>{"type", "timestamp", "data"}</c>.</summary>
    public string Body { get; private set; }

    public DateTime CreatedAt { get; private set; }

    /// <summary>The <c>webhook-id</c>: the same on every attempt, so receivers can drop duplicates.</summary>
    public string WireId => WireIdOf(Id);

    public static string WireIdOf(Guid id) => IdPrefix + id.ToString("D");

    /// <summary>A message of <paramref name="eventType"/>; <paramref name="body"/> is given the id and time to write itself with.</summary>
    public static WebhookMessage Create(string userId, string eventType, DateTime createdAt, Func<Guid, string> body)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        if (!WebhookEventTypes.IsKnown(eventType))
        {
            throw new ArgumentException($"Unknown webhook event type '{eventType}'.", nameof(eventType));
        }

        var id = Guid.CreateVersion7(createdAt);
        return new WebhookMessage(id, userId, eventType, body(id), createdAt);
    }
}
