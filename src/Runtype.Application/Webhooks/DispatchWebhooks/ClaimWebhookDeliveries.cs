using Mediator;
using Runtype.Domain.Webhooks;

namespace Runtype.Application.Webhooks.DispatchWebhooks;

/// <summary>
/// Leases up to <see cref="Limit"/> due deliveries to this dispatcher, oldest due first, one transaction for all, and
/// to no endpoint more than its room: <see cref="WebhookSettings.MaxConcurrencyPerEndpoint"/> less the attempts this
/// process has in flight to it (<see cref="InFlightPerEndpoint"/>). Each becomes an attempt to send, with what it needs
/// (URL, signing secrets, the message). Until its lease runs out no other dispatcher attempts it.
/// </summary>
public sealed record ClaimWebhookDeliveries(int Limit, IReadOnlyDictionary<Guid, int> InFlightPerEndpoint) : ICommand<WebhookClaim>;

/// <summary>
/// What a claim leased, and whether it found as many due deliveries as it could take (<see cref="Full"/>: more may be
/// due, so the dispatcher claims again at once rather than looking first).
/// </summary>
public sealed record WebhookClaim(IReadOnlyList<WebhookAttempt> Attempts, bool Full)
{
    public static WebhookClaim None { get; } = new([], false);
}

/// <summary>One attempt to send: the lease that entitles its holder to record the outcome, and the signed request's parts.</summary>
public sealed record WebhookAttempt(
    Guid DeliveryId, Guid LeaseToken, Guid EndpointId, string Url, IReadOnlyList<string> Secrets, string MessageId, string Body, DateTimeOffset LeasedAt);

public sealed class ClaimWebhookDeliveriesHandler(
    IWebhookDeliveryRepository deliveries, IWebhookEndpointRepository endpoints, WebhookSettings settings, TimeProvider clock)
    : ICommandHandler<ClaimWebhookDeliveries, WebhookClaim>
{
    public async ValueTask<WebhookClaim> Handle(ClaimWebhookDeliveries command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var read = await deliveries.ClaimDueAsync(now.UtcDateTime, command.Limit, settings.Saturated(command.InFlightPerEndpoint), cancellationToken);
        if (read.Count == 0)
        {
            return WebhookClaim.None;
        }

        // No endpoint gets more than its room, however many of the oldest due deliveries are its own: the rest stay
        // due, untouched (and, on the server databases, unlocked at the commit), for the next claim.
        var room = new Dictionary<Guid, int>();
        var due = new List<WebhookDelivery>(read.Count);
        foreach (var delivery in read)
        {
            var left = room.TryGetValue(delivery.EndpointId, out var known) ? known : settings.RoomFor(command.InFlightPerEndpoint.GetValueOrDefault(delivery.EndpointId));
            if (left > 0)
            {
                due.Add(delivery);
            }

            room[delivery.EndpointId] = left - 1;
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
        return new WebhookClaim(attempts, read.Count == command.Limit);
    }
}
