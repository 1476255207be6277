using System.Net;
using System.Text.Json;

namespace Runtype.Sessions.Client;

/// <summary>
/// An error answer of the API: its problem details (RFC 9457) as typed members. <see cref="Code"/> is the stable
/// machine-readable name of the problem (e.g. <c>invalid_status_transition</c>, <c>precondition_failed</c>).
/// </summary>
public sealed class RuntypeApiException : Exception
{
    internal RuntypeApiException(HttpStatusCode statusCode, JsonElement? problem, TimeSpan? retryAfter, string? body)
        : base(MessageOf(statusCode, problem, body))
    {
        StatusCode = statusCode;
        RetryAfter = retryAfter;
        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (problem is { ValueKind: JsonValueKind.Object } details)
        {
            foreach (var member in details.EnumerateObject())
            {
                members[member.Name] = member.Value.Clone();
            }
        }

        Members = members;
        Type = Text("type");
        Title = Text("title");
        Detail = Text("detail");
        Instance = Text("instance");
        TraceId = Text("traceId");
        Code = Text("code");
        CurrentETag = Text("currentETag");
        ProductObjectHash = Text("productObjectHash");
        CurrentStatus = Text("currentStatus") is { } current ? new SessionStatus(current) : null;
        RequestedStatus = Text("requestedStatus") is { } requested ? new SessionStatus(requested) : null;
        AllowedStatuses = members.TryGetValue("allowedStatuses", out var allowed) && allowed.ValueKind == JsonValueKind.Array
            ? [.. allowed.EnumerateArray().Select(s => new SessionStatus(s.GetString()!))]
            : null;
        ExpiresAt = members.TryGetValue("expiresAt", out var expires) && expires.ValueKind == JsonValueKind.String ? expires.GetDateTimeOffset() : null;
        Errors = members.TryGetValue("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
            ? errors.EnumerateObject().ToDictionary(e => e.Name, e => (IReadOnlyList<string>)[.. e.Value.EnumerateArray().Select(m => m.GetString()!)], StringComparer.Ordinal)
            : new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
    }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The stable machine-readable name of the problem, e.g. <c>not_found</c>.</summary>
    public string? Code { get; }

    /// <summary>A URI reference naming the problem type.</summary>
    public string? Type { get; }

    /// <summary>A short summary of the problem type.</summary>
    public string? Title { get; }

    /// <summary>What went wrong, for people.</summary>
    public string? Detail { get; }

    /// <summary>The path of the request.</summary>
    public string? Instance { get; }

    /// <summary>The request's trace id: quote it when you report a problem.</summary>
    public string? TraceId { get; }

    /// <summary>For a 400: each field that is not valid, with what is wrong with it.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Errors { get; }

    /// <summary>The session's status (409 <c>invalid_status_transition</c>, <c>session_read_only</c>, <c>session_expired</c>).</summary>
    public SessionStatus? CurrentStatus { get; }

    /// <summary>The status the request asked for (409 <c>invalid_status_transition</c>).</summary>
    public SessionStatus? RequestedStatus { get; }

    /// <summary>The statuses the session may move to (409 <c>invalid_status_transition</c>).</summary>
    public IReadOnlyList<SessionStatus>? AllowedStatuses { get; }

    /// <summary>The session's current ETag (412 <c>precondition_failed</c>).</summary>
    public string? CurrentETag { get; }

    /// <summary>The server's hash of the product object (409 <c>product_object_hash_mismatch</c>).</summary>
    public string? ProductObjectHash { get; }

    /// <summary>When the session expired (409 <c>session_expired</c>).</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>How long the server asked to wait before retrying (429, 503), after the client's own retries.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Every member of the problem details, the ones above included, as sent.</summary>
    public IReadOnlyDictionary<string, JsonElement> Members { get; }

    private string? Text(string name) => Members.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string MessageOf(HttpStatusCode status, JsonElement? problem, string? body)
    {
        string? Member(string name) => problem is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var code = Member("code");
        var detail = Member("detail") ?? body;
        return $"The API answered {(int)status} {status}{(code is null ? string.Empty : $" ({code})")}: {detail}";
    }
}
