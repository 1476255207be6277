namespace Runtype.Domain.Webhooks;

/// <summary>The types of webhook messages (contract §7), as written on the wire.</summary>
public static class WebhookEventTypes
{
    public const string SessionCreated = "session.created";
    public const string SessionStatusChanged = "session.status_changed";
    public const string SessionCompleted = "session.completed";
    public const string SessionFailed = "session.failed";
    public const string SessionCancelled = "session.cancelled";
    public const string SessionExpired = "session.expired";
    public const string SessionEventAppended = "session.event_appended";
    public const string SessionDeleted = "session.deleted";
    public const string Test = "webhook.test";

    public static readonly string[] All =
    [
        SessionCreated, SessionStatusChanged, SessionCompleted, SessionFailed, SessionCancelled, SessionExpired,
        SessionEventAppended, SessionDeleted, Test,
    ];

    public static bool IsKnown(string? type) => type is not null && Array.IndexOf(All, type) >= 0;

    /// <summary>
    /// Whether an endpoint subscribed to <paramref name="subscribed"/> (space-separated types as stored; empty: all types)
    /// receives messages of <paramref name="type"/>.
    /// </summary>
    public static bool Includes(string subscribed, string type)
    {
        if (subscribed.Length == 0)
        {
            return true;
        }

        foreach (var range in subscribed.AsSpan().Split(' '))
        {
            if (subscribed.AsSpan()[range].Equals(type, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
