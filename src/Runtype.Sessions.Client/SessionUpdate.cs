using System.Text.Json.Nodes;

namespace Runtype.Sessions.Client;

/// <summary>
/// A PATCH of a session: only the properties you set are sent. Setting one to <c>null</c> clears that field; one you
/// do not set is left as it is. At least one must be set.
/// </summary>
/// <example>
/// <code>
/// new SessionUpdate { Status = SessionStatus.Generating, Plan = plan, AssemblyState = null } // sets status and plan, clears assemblyState
/// </code>
/// </example>
public sealed class SessionUpdate
{
    private readonly Dictionary<string, JsonNode?> _fields = new(StringComparer.Ordinal);

    /// <summary>The new status (setting the current one is a no-op).</summary>
    public SessionStatus? Status
    {
        get => _fields.TryGetValue("status", out var value) && value is not null ? new SessionStatus(value.GetValue<string>()) : null;
        init => _fields["status"] = value is { } status ? JsonValue.Create(status.Value) : null;
    }

    /// <summary>The product requirements document; null clears it.</summary>
    public JsonObject? Prd
    {
        get => Object("prd");
        init => _fields["prd"] = value?.DeepClone();
    }

    /// <summary>The plan; null clears it.</summary>
    public JsonObject? Plan
    {
        get => Object("plan");
        init => _fields["plan"] = value?.DeepClone();
    }

    /// <summary>The product object (the server computes its hash); null clears it.</summary>
    public JsonObject? ProductObject
    {
        get => Object("productObject");
        init => _fields["productObject"] = value?.DeepClone();
    }

    /// <summary>
    /// A check, never stored: the SHA-256 (hex) <see cref="ProductObject"/> must have after this update, or the update
    /// fails with 409 <c>product_object_hash_mismatch</c> and changes nothing.
    /// </summary>
    public string? ProductObjectHash
    {
        get => _fields.TryGetValue("productObjectHash", out var value) ? value?.GetValue<string>() : null;
        init => _fields["productObjectHash"] = value is null ? null : JsonValue.Create(value);
    }

    /// <summary>The assembly state (its <c>progress</c>, when present, a number from 0 to 100); null clears it.</summary>
    public JsonObject? AssemblyState
    {
        get => Object("assemblyState");
        init => _fields["assemblyState"] = value?.DeepClone();
    }

    /// <summary>The JSON names of the fields this update sends.</summary>
    public IReadOnlyCollection<string> Fields => _fields.Keys;

    internal string ToJson()
    {
        if (_fields.Count == 0)
        {
            throw new InvalidOperationException("A session update must set at least one field.");
        }

        var body = new JsonObject();
        foreach (var (name, value) in _fields)
        {
            body[name] = value?.DeepClone();
        }

        return body.ToJsonString(RuntypeJson.Options);
    }

    private JsonObject? Object(string name) => _fields.TryGetValue(name, out var value) ? value?.AsObject() : null;
}
