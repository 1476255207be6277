using System.Text.Json;
using Runtype.Application.Common;
using Runtype.Domain.Webhooks;

namespace Runtype.Application.Webhooks;

/// <summary>
/// Writes messages into the outbox, inside the caller's transaction: a message of a type and, for each of the user's
/// enabled endpoints subscribed to it, a delivery due after the schedule's first delay. Nothing is written when no
/// endpoint wants the type (the body is not even serialized then). The deliveries are saved with the caller's other
/// changes, and the dispatcher is woken once they commit.
/// </summary>
public sealed class WebhookOutbox(
    IWebhookDeliveryRepository deliveries, WebhookSettings settings, ResponseJson json, WebhookDispatchRequest dispatch)
{
    private readonly Dictionary<string, IReadOnlyList<WebhookSubscriber>> _subscribers = new(StringComparer.Ordinal);

    /// <summary>A message of <paramref name="eventType"/> to every subscribed endpoint of the user; returns it, or null when none is subscribed.</summary>
    public async Task<WebhookMessage?> PublishAsync<TData>(string userId, string eventType, TData data, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var subscribers = (await SubscribersAsync(userId, cancellationToken)).Where(s => s.Subscribes(eventType)).ToList();
        if (subscribers.Count == 0)
        {
            return null;
        }

        var message = Message(userId, eventType, data, now);
        foreach (var subscriber in subscribers)
        {
            deliveries.Add(WebhookDelivery.Create(subscriber.EndpointId, message.Id, now, settings.RetrySchedule[0]));
        }

        dispatch.Request();
        return message;
    }

    /// <summary>A message of <paramref name="eventType"/> to one endpoint, whatever it subscribes to, due now (a test message).</summary>
    public WebhookDelivery SendNow<TData>(WebhookEndpoint endpoint, string eventType, TData data, DateTimeOffset now)
    {
        var message = Message(endpoint.UserId, eventType, data, now);
        var delivery = WebhookDelivery.Create(endpoint.Id, message.Id, now, TimeSpan.Zero);
        deliveries.Add(delivery);
        dispatch.Request();
        return delivery;
    }

    private WebhookMessage Message<TData>(string userId, string eventType, TData data, DateTimeOffset now)
    {
        var timestamp = Domain.Common.UtcTimestamp.From(now);
        var message = WebhookMessage.Create(userId, eventType, timestamp, _ =>
            JsonSerializer.Serialize(new WebhookBody<TData>(eventType, timestamp, data), json.Options));
        deliveries.Add(message);
        return message;
    }

    private async Task<IReadOnlyList<WebhookSubscriber>> SubscribersAsync(string userId, CancellationToken cancellationToken)
    {
        if (!_subscribers.TryGetValue(userId, out var found))
        {
            _subscribers[userId] = found = await deliveries.SubscribersAsync(userId, cancellationToken);
        }

        return found;
    }
}
