using System.Text.Json;
using System.Text.Json.Serialization;

namespace Runtype.Sessions.Client;

/// <summary>
/// Where a generation session is in its life: <c>intake → planning → generating → assembling → completed</c>, or
/// <c>failed</c>, <c>cancelled</c>, <c>expired</c>. An extensible value: a status a newer server sends is kept as it
/// is written rather than failing the call.
/// </summary>
[JsonConverter(typeof(SessionStatusConverter))]
public readonly record struct SessionStatus
{
    private readonly string? _value;

    /// <summary>Creates a status from its wire name (e.g. <c>"planning"</c>).</summary>
    /// <param name="value">The wire name.</param>
    public SessionStatus(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        _value = value;
    }

    /// <summary>The initial status.</summary>
    public static SessionStatus Intake { get; } = new("intake");

    /// <summary>The plan is being made.</summary>
    public static SessionStatus Planning { get; } = new("planning");

    /// <summary>The product is being generated.</summary>
    public static SessionStatus Generating { get; } = new("generating");

    /// <summary>The product is being assembled.</summary>
    public static SessionStatus Assembling { get; } = new("assembling");

    /// <summary>Done (terminal: the session is read-only).</summary>
    public static SessionStatus Completed { get; } = new("completed");

    /// <summary>Failed (terminal).</summary>
    public static SessionStatus Failed { get; } = new("failed");

    /// <summary>Cancelled (terminal).</summary>
    public static SessionStatus Cancelled { get; } = new("cancelled");

    /// <summary>Past its <c>expiresAt</c> (terminal; never set by a client).</summary>
    public static SessionStatus Expired { get; } = new("expired");

    /// <summary>The wire name.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>True for the statuses after which a session never changes again.</summary>
    public bool IsTerminal => this == Completed || this == Failed || this == Cancelled || this == Expired;

    /// <summary>The wire name.</summary>
    /// <param name="status">The status.</param>
    public static implicit operator string(SessionStatus status) => status.Value;

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>Reads and writes a <see cref="SessionStatus"/> as its wire name.</summary>
internal sealed class SessionStatusConverter : JsonConverter<SessionStatus>
{
    public override SessionStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString() ?? throw new JsonException("A session status is a string."));

    public override void Write(Utf8JsonWriter writer, SessionStatus value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}
