using Mediator;

namespace Runtype.Application.Webhooks.DispatchWebhooks;

/// <summary>
/// Leases up to <see cref="Limit"/> due deliveries to this dispatcher (none to <see cref="ExcludedEndpoints"/>, which
/// have as many attempts in flight here as they may), one transaction for all: each becomes an attempt to send, with
/// what it needs (URL, signing secrets, the message). Until its lease runs out no other dispatcher attempts it.
/// </summary>
public sealed record ClaimWebhookDeliveries(int Limit, IReadOnlyCollection<Guid> ExcludedEndpoints) : ICommand<IReadOnlyList<WebhookAttempt>>;

/// <summary>One attempt to send: the lease that entitles its holder to record the outcome, and the signed request's parts.</summary>
public sealed record WebhookAttempt(
    Guid DeliveryId, Guid LeaseToken, Guid EndpointId, string Url, IReadOnlyList<string> Secrets, string MessageId, string Body, DateTimeOffset LeasedAt);

public sealed class ClaimWebhookDeliveriesHandler(
    IWebhookDeliveryRepository deliveries, IWebhookEndpointRepository endpoints, WebhookSettings settings, TimeProvider clock)
    : ICommandHandler<ClaimWebhookDeliveries, IReadOnlyList<WebhookAttempt>>
{
    public async ValueTask<IReadOnlyList<WebhookAttempt>> Handle(ClaimWebhookDeliveries command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var due = await deliveries.ClaimDueAsync(now.UtcDateTime, command.Limit, command.ExcludedEndpoints, cancellationToken);
        if (due.Count == 0)
        {
            return [];
        }

        var targets = (await endpoints.FindManyAsync([.. due.Select(d => d.EndpointId).Distinct()], cancellationToken)).ToDictionary(e => e.Id);
        var messages = (await deliveries.MessagesAsync([.. due.Select(d => d.MessageId).Distinct()], cancellationToken)).ToDictionary(m => m.Id);
        var attempts = new List<WebhookAttempt>(due.Count);
        foreach (var delivery in due)
        {
            var endpoint = targets[delivery.EndpointId];
            var message = messages[delivery.MessageId];
            var lease = delivery.Lease(now, settings.LeaseDuration);
            attempts.Add(new WebhookAttempt(delivery.Id, lease, endpoint.Id, endpoint.Url, endpoint.SigningSecrets(now), message.WireId, message.Body, now));
        }

        await deliveries.SaveChangesAsync(cancellationToken);
        return attempts;
    }
}
