namespace Runtype.Domain.Webhooks;

/// <summary>Where a delivery of one message to one endpoint stands. Written on the wire in lower case.</summary>
public enum WebhookDeliveryStatus
{
    /// <summary>An attempt is due, in flight or scheduled.</summary>
    Pending,

    /// <summary>An attempt was answered with a 2xx.</summary>
    Succeeded,

    /// <summary>The last scheduled attempt failed, the endpoint answered 410 or was disabled.</summary>
    Failed,
}

public static class WebhookDeliveryStatuses
{
    public static readonly string[] AllWireNames = [.. Enum.GetValues<WebhookDeliveryStatus>().Select(ToWire)];

    public static string ToWire(this WebhookDeliveryStatus status) => status switch
    {
        WebhookDeliveryStatus.Pending => "pending",
        WebhookDeliveryStatus.Succeeded => "succeeded",
        _ => "failed",
    };

    /// <summary>Parses a wire name; exact lower-case match only.</summary>
    public static bool TryParse(string? value, out WebhookDeliveryStatus status)
    {
        foreach (var candidate in Enum.GetValues<WebhookDeliveryStatus>())
        {
            if (string.Equals(candidate.ToWire(), value, StringComparison.Ordinal))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }
}
