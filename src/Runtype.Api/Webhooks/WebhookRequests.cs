using System.ComponentModel.DataAnnotations;
using Runtype.Application.Webhooks;
using Runtype.Domain.Common;
using Runtype.Domain.Webhooks;

namespace Runtype.Api.Webhooks;

// The DataAnnotations here describe the rules in the OpenAPI document; the Application's validators enforce them
// (OpenApi/DescriptiveAnnotations.cs).

/// <summary>Body of <c>POST /webhooks/endpoints</c>.</summary>
public sealed record CreateWebhookEndpointRequest(
    [property: Required, MinLength(1), MaxLength(WebhookLimits.UrlLength)] string? Url = null,
    [property: EnumDataType(typeof(WebhookEventType))] IReadOnlyList<string>? EventTypes = null,
    [property: MaxLength(WebhookLimits.DescriptionLength)] string? Description = null);

/// <summary>Body of <c>PATCH /webhooks/endpoints/{id}</c>: an absent key leaves the field alone.</summary>
public sealed record UpdateWebhookEndpointRequest
{
    /// <summary>The absolute https URL that receives the messages; it cannot be cleared.</summary>
    [MaxLength(WebhookLimits.UrlLength)]
    public Optional<string?> Url { get; init; }

    /// <summary>The types to subscribe to; null or empty: all of them.</summary>
    [EnumDataType(typeof(WebhookEventType))]
    public Optional<IReadOnlyList<string>?> EventTypes { get; init; }

    /// <summary>null clears it.</summary>
    [MaxLength(WebhookLimits.DescriptionLength)]
    public Optional<string?> Description { get; init; }

    /// <summary>true enables a disabled endpoint again (and clears its failure state); false disables it.</summary>
    public Optional<bool?> Enabled { get; init; }
}
