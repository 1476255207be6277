using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Runtype.Sessions.Client;

/// <summary>A generation session (its events are in <see cref="SessionDetails"/>).</summary>
public record Session
{
    /// <summary>The session's id (a version 7 UUID).</summary>
    public required Guid Id { get; init; }

    /// <summary>The user the session belongs to.</summary>
    public required string UserId { get; init; }

    /// <summary>That user's organization when the session was created, if any.</summary>
    public string? OrganizationId { get; init; }

    /// <summary>Where the session is in its life.</summary>
    public required SessionStatus Status { get; init; }

    /// <summary>The catalog version the session was created for.</summary>
    public string? CatalogVersion { get; init; }

    /// <summary>The schema version the session was created for.</summary>
    public string? SchemaVersion { get; init; }

    /// <summary>The product requirements document: any JSON object, as it was sent.</summary>
    public JsonObject? Prd { get; init; }

    /// <summary>The plan: any JSON object, as it was sent.</summary>
    public JsonObject? Plan { get; init; }

    /// <summary>The generated product: any JSON object, as it was sent.</summary>
    public JsonObject? ProductObject { get; init; }

    /// <summary>The server's SHA-256 (hex) of the canonical JSON of <see cref="ProductObject"/> (RFC 8785); null without one.</summary>
    public string? ProductObjectHash { get; init; }

    /// <summary>The assembly state (its <c>progress</c>, when present, is 0 to 100): any JSON object, as it was sent.</summary>
    public JsonObject? AssemblyState { get; init; }

    /// <summary>When the session was created (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the session last changed (UTC); an appended event changes it too.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the session expires (UTC).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>
    /// The version the server answered with (its <c>ETag</c> header), when the answer carried one: pass the session to
    /// <see cref="IRuntypeSessionsClient.UpdateSessionAsync(Session, SessionUpdate, CancellationToken)"/> to change it
    /// only if nobody else has since. Not part of the JSON.
    /// </summary>
    [JsonIgnore]
    public string? ETag { get; init; }
}

/// <summary>A session with its event log, oldest first.</summary>
public sealed record SessionDetails : Session
{
    /// <summary>The session's events, oldest first.</summary>
    public required IReadOnlyList<SessionEvent> Events { get; init; }
}

/// <summary>One event of a session's log.</summary>
public sealed record SessionEvent
{
    /// <summary>The event's id (a version 7 UUID); the stream's <c>Last-Event-ID</c> and the paging cursor.</summary>
    public required Guid Id { get; init; }

    /// <summary>The session the event belongs to.</summary>
    public required Guid SessionId { get; init; }

    /// <summary>The session's user.</summary>
    public required string UserId { get; init; }

    /// <summary>The session's organization, if any.</summary>
    public string? OrganizationId { get; init; }

    /// <summary>The event's type: the client's own, or <c>status_changed</c> (written by the server on every status change).</summary>
    public required string Type { get; init; }

    /// <summary>The stage the event belongs to (for <c>status_changed</c>, the new status).</summary>
    public string? Stage { get; init; }

    /// <summary>A message for people.</summary>
    public string? Message { get; init; }

    /// <summary>Any JSON object, as it was sent (<c>{}</c> when none was); for <c>status_changed</c>, <c>{"from", "to"}</c>.</summary>
    public required JsonObject Payload { get; init; }

    /// <summary>When the event was appended (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A page of the caller's sessions, newest first.</summary>
public sealed record SessionPage
{
    /// <summary>The sessions of this page (without events).</summary>
    public required IReadOnlyList<Session> Data { get; init; }

    /// <summary>Where the page sits in the list.</summary>
    public required Pagination Pagination { get; init; }
}

/// <summary>Offset paging of a list.</summary>
public sealed record Pagination
{
    /// <summary>The page size asked for.</summary>
    public required int Limit { get; init; }

    /// <summary>How many items come before this page.</summary>
    public required int Offset { get; init; }

    /// <summary>How many items the list has in all.</summary>
    public required int Total { get; init; }
}

/// <summary>A page of a session's events, oldest first.</summary>
public sealed record SessionEventPage
{
    /// <summary>The events of this page.</summary>
    public required IReadOnlyList<SessionEvent> Data { get; init; }

    /// <summary>Where the page sits in the log.</summary>
    public required EventPagination Pagination { get; init; }
}

/// <summary>Cursor paging of a session's events.</summary>
public sealed record EventPagination
{
    /// <summary>The page size asked for.</summary>
    public required int Limit { get; init; }

    /// <summary>The cursor this page starts after (null: from the first event).</summary>
    public Guid? After { get; init; }

    /// <summary>The cursor of the next page; null when this page reaches the end of the log as it stands.</summary>
    public Guid? Next { get; init; }
}

/// <summary>What a new session starts with; every field is optional.</summary>
public sealed record NewSession
{
    /// <summary>The catalog version (at most 64 characters).</summary>
    public string? CatalogVersion { get; init; }

    /// <summary>The schema version (at most 64 characters).</summary>
    public string? SchemaVersion { get; init; }

    /// <summary>The product requirements document.</summary>
    public JsonObject? Prd { get; init; }
}

/// <summary>An event to append to a session's log.</summary>
/// <param name="Type">The event's type: 1 to 100 characters (<c>status_changed</c> is the server's own).</param>
public sealed record NewSessionEvent(string Type)
{
    /// <summary>The stage (at most 100 characters).</summary>
    public string? Stage { get; init; }

    /// <summary>A message (at most 4000 characters).</summary>
    public string? Message { get; init; }

    /// <summary>Any JSON object (<c>{}</c> when null).</summary>
    public JsonObject? Payload { get; init; }
}
