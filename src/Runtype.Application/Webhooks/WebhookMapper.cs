using Riok.Mapperly.Abstractions;
using Runtype.Domain.Webhooks;

namespace Runtype.Application.Webhooks;

/// <summary>Compile-time mapping from the webhook entities to what the API returns.</summary>
[Mapper]
public static partial class WebhookMapper
{
    [MapProperty(nameof(WebhookEndpoint.EventTypeList), nameof(WebhookEndpointDto.EventTypes))]
    [MapperIgnoreSource(nameof(WebhookEndpoint.EventTypes))]
    [MapperIgnoreSource(nameof(WebhookEndpoint.UserId))]
    [MapperIgnoreSource(nameof(WebhookEndpoint.Secret))]
    [MapperIgnoreSource(nameof(WebhookEndpoint.PreviousSecret))]
    [MapperIgnoreSource(nameof(WebhookEndpoint.PreviousSecretExpiresAt))]
    [MapperIgnoreSource(nameof(WebhookEndpoint.FailingSince))]
    [MapperIgnoreSource(nameof(WebhookEndpoint.Version))]
    public static partial WebhookEndpointDto ToDto(this WebhookEndpoint endpoint);

    /// <summary>A new endpoint with its secret: the answer of its creation only.</summary>
    [MapProperty(nameof(WebhookEndpoint.EventTypeList), nameof(CreatedWebhookEndpointDto.EventTypes))]
    [MapperIgnoreSource(nameof(WebhookEndpoint.EventTypes))]
    [MapperIgnoreSource(nameof(WebhookEndpoint.UserId))]
    [MapperIgnoreSource(nameof(WebhookEndpoint.PreviousSecret))]
    [MapperIgnoreSource(nameof(WebhookEndpoint.PreviousSecretExpiresAt))]
    [MapperIgnoreSource(nameof(WebhookEndpoint.FailingSince))]
    [MapperIgnoreSource(nameof(WebhookEndpoint.Version))]
    public static partial CreatedWebhookEndpointDto ToCreatedDto(this WebhookEndpoint endpoint);

    /// <summary>A delivery with the type of its message (which the delivery row does not repeat).</summary>
    [MapProperty(nameof(WebhookDelivery.MessageId), nameof(WebhookDeliveryDto.MessageId), Use = nameof(MapMessageId))]
    [MapperIgnoreSource(nameof(WebhookDelivery.EndpointId))]
    [MapperIgnoreSource(nameof(WebhookDelivery.LeaseToken))]
    public static partial WebhookDeliveryDto ToDto(this WebhookDelivery delivery, string eventType);

    private static string MapMessageId(Guid messageId) => WebhookMessage.WireIdOf(messageId);

    private static string MapStatus(WebhookDeliveryStatus status) => status.ToWire();
}
