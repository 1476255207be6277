using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Runtype.Domain.Common;
using Runtype.Domain.Sessions;

namespace Runtype.Api.Sessions;

// The DataAnnotations here describe the rules in the OpenAPI document; the Application's validators enforce them
// (OpenApi/DescriptiveAnnotations.cs).

/// <summary>Body of <c>POST /sessions</c>; every field optional, an empty body is allowed.</summary>
public sealed record CreateSessionRequest(
    [property: MaxLength(SessionLimits.VersionLength)] string? CatalogVersion = null,
    [property: MaxLength(SessionLimits.VersionLength)] string? SchemaVersion = null,
    JsonElement? Prd = null);

/// <summary>
/// Body of <c>PATCH /sessions/{id}</c>: at least one field. A field that is absent is left alone; a field sent as
/// null clears it.
/// </summary>
public sealed record UpdateSessionRequest
{
    /// <summary>The new status; setting the current one is a no-op. `expired` cannot be set.</summary>
    [EnumDataType(typeof(SessionStatus))]
    public Optional<string?> Status { get; init; }

    public Optional<JsonElement?> Prd { get; init; }

    public Optional<JsonElement?> Plan { get; init; }

    /// <summary>The product object; the server computes its productObjectHash.</summary>
    public Optional<JsonElement?> ProductObject { get; init; }

    /// <summary>A check, never stored: the SHA-256 (hex) the productObject must have after this change, else 409.</summary>
    [RegularExpression("^[0-9a-fA-F]{64}$")]
    public Optional<string?> ProductObjectHash { get; init; }

    /// <summary>The assembly state; its `progress`, when present, is a number from 0 to 100.</summary>
    public Optional<JsonElement?> AssemblyState { get; init; }
}

/// <summary>Body of <c>POST /sessions/{id}/events</c>.</summary>
public sealed record AppendEventRequest(
    [property: Required, MinLength(1), MaxLength(SessionLimits.EventTypeLength)] string? Type = null,
    [property: MaxLength(SessionLimits.EventStageLength)] string? Stage = null,
    [property: MaxLength(SessionLimits.EventMessageLength)] string? Message = null,
    JsonElement? Payload = null);
