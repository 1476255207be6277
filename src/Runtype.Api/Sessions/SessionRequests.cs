using System.Text.Json;
using Runtype.Domain.Common;

namespace Runtype.Api.Sessions;

/// <summary>Body of <c>POST /sessions</c>; every field optional, an empty body is allowed.</summary>
public sealed record CreateSessionRequest(string? CatalogVersion = null, string? SchemaVersion = null, JsonElement? Prd = null);

/// <summary>
/// Body of <c>PATCH /sessions/{id}</c>. A key that is absent leaves the field alone; a key sent as null clears it.
/// </summary>
public sealed record UpdateSessionRequest
{
    public Optional<string?> Status { get; init; }

    public Optional<JsonElement?> Prd { get; init; }

    public Optional<JsonElement?> Plan { get; init; }

    public Optional<JsonElement?> ProductObject { get; init; }

    /// <summary>A check: the SHA-256 the productObject must have after this change.</summary>
    public Optional<string?> ProductObjectHash { get; init; }

    public Optional<JsonElement?> AssemblyState { get; init; }
}

/// <summary>Body of <c>POST /sessions/{id}/events</c>.</summary>
public sealed record AppendEventRequest(string? Type = null, string? Stage = null, string? Message = null, JsonElement? Payload = null);
