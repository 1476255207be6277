namespace Runtype.Api.OpenApi;

/// <summary>
/// A header an endpoint writes on the answers with the given statuses, for the OpenAPI document (and so for the test
/// suite, which checks each declared header on every answer). The headers every call of a kind has are added by
/// <see cref="OperationConventions"/> (Location on 201, Retry-After on 429/503, WWW-Authenticate on 401/403,
/// Idempotent-Replayed where Idempotency-Key is read); this names the rest, e.g. <c>ETag</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true)]
public sealed class ResponseHeaderAttribute(string name, string description, params int[] statusCodes) : Attribute
{
    public string Name { get; } = name;

    public string Description { get; } = description;

    public IReadOnlyList<int> StatusCodes { get; } = statusCodes;

    /// <summary>A regular expression the value matches (e.g. a strong entity tag).</summary>
    public string? Pattern { get; init; }

    /// <summary>Whether every answer with one of <see cref="StatusCodes"/> carries the header (default: yes).</summary>
    public bool Required { get; init; } = true;
}
