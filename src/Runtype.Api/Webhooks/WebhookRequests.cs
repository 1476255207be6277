using Runtype.Domain.Common;

namespace Runtype.Api.Webhooks;

/// <summary>Body of <c>POST /webhooks/endpoints</c>.</summary>
public sealed record CreateWebhookEndpointRequest(string? Url = null, IReadOnlyList<string>? EventTypes = null, string? Description = null);

/// <summary>Body of <c>PATCH /webhooks/endpoints/{id}</c>: an absent key leaves the field alone.</summary>
public sealed record UpdateWebhookEndpointRequest
{
    public Optional<string?> Url { get; init; }

    /// <summary>The types to subscribe to; null or empty: all of them.</summary>
    public Optional<IReadOnlyList<string>?> EventTypes { get; init; }

    /// <summary>null clears it.</summary>
    public Optional<string?> Description { get; init; }

    /// <summary>true enables a disabled endpoint again (and clears its failure state); false disables it.</summary>
    public Optional<bool?> Enabled { get; init; }
}
