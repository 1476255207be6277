using System.ComponentModel.DataAnnotations;
using Runtype.Application.Sessions;
using Runtype.Domain.Webhooks;

namespace Runtype.Application.Webhooks;

/// <summary>A webhook endpoint as the API returns it (contract §7): never its secret.</summary>
public sealed record WebhookEndpointDto(
    Guid Id,
    string Url,
    string? Description,
    [property: EnumDataType(typeof(WebhookEventType))] IReadOnlyList<string> EventTypes,
    bool Enabled,
    string? DisabledReason,
    DateTime CreatedAt,
    DateTime UpdatedAt);

/// <summary>A new endpoint with its signing secret: the one answer besides a rotation that shows it.</summary>
public sealed record CreatedWebhookEndpointDto(
    Guid Id,
    string Url,
    string? Description,
    [property: EnumDataType(typeof(WebhookEventType))] IReadOnlyList<string> EventTypes,
    bool Enabled,
    string? DisabledReason,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    string Secret);

/// <summary>The answer of a rotation: the new secret.</summary>
public sealed record WebhookSecretDto(string Secret);

/// <summary>One message on its way to one endpoint.</summary>
public sealed record WebhookDeliveryDto(
    Guid Id,
    string MessageId,
    [property: EnumDataType(typeof(WebhookEventType))] string EventType,
    [property: EnumDataType(typeof(WebhookDeliveryStatus))] string Status,
    int Attempts,
    DateTime? LastAttemptAt,
    int? LastResponseStatus,
    DateTime? NextAttemptAt,
    DateTime CreatedAt);

public sealed record WebhookEndpointPage(IReadOnlyList<WebhookEndpointDto> Data, Pagination Pagination);

public sealed record WebhookDeliveryPage(IReadOnlyList<WebhookDeliveryDto> Data, Pagination Pagination);
