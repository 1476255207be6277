using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Runtype.Application.Common;
using Runtype.Domain.Sessions;

namespace Runtype.Application.Sessions;

/// <summary>A generation session.</summary>
// Contract §3. The free-form objects are the stored JSON text, written as they are (RawJsonConverter).
public record SessionDto(
    Guid Id,
    string UserId,
    string? OrganizationId,
    [property: EnumDataType(typeof(SessionStatus))] string Status,
    string? CatalogVersion,
    string? SchemaVersion,
    [property: JsonConverter(typeof(RawJsonConverter))] string? Prd,
    [property: JsonConverter(typeof(RawJsonConverter))] string? Plan,
    [property: JsonConverter(typeof(RawJsonConverter))] string? ProductObject,
    string? ProductObjectHash,
    [property: JsonConverter(typeof(RawJsonConverter))] string? AssemblyState,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime ExpiresAt);

/// <summary>A session with its event log, oldest first: the answer of <c>GET /sessions/{id}</c>.</summary>
// The events are a stream, serialized as a JSON array while they are read from the database (docs/performance.md):
// they can be enumerated once.
public sealed record SessionDetailsDto : SessionDto
{
    public SessionDetailsDto(SessionDto session, IAsyncEnumerable<SessionEventDto> events)
        : base(session)
    {
        Events = events;
    }

    [JsonPropertyOrder(1)]
    public IAsyncEnumerable<SessionEventDto> Events { get; init; }
}

/// <summary>One event of a session's log.</summary>
public sealed record SessionEventDto(
    Guid Id,
    Guid SessionId,
    string UserId,
    string? OrganizationId,
    string Type,
    string? Stage,
    string? Message,
    [property: JsonConverter(typeof(RawJsonConverter))] string Payload,
    DateTime CreatedAt);

/// <summary>A page of the caller's sessions.</summary>
public sealed record SessionPage(IReadOnlyList<SessionDto> Data, Pagination Pagination);

public sealed record Pagination(int Limit, int Offset, int Total);
