using System.Text;
using System.Text.Json;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.StreamSessionEvents;

namespace Runtype.Api.Sessions;

/// <summary>
/// The text/event-stream wire format (WHATWG HTML, "Server-sent events"), as UTF-8 bytes: an event is <c>id:</c> (the
/// event id), <c>event:</c> (its type) and one <c>data:</c> line (its JSON, the same as the event resource), then a
/// blank line; in the stream of all sessions, <c>event: session</c> / <c>event: deleted</c> carry the position to resume
/// from as their <c>id:</c>, and a session's events come as <c>event: event</c> without one; heartbeats and the end of the stream are comment lines (<c>: ...</c>), which clients ignore.
/// </summary>
/// <remarks>
/// <c>System.Net.ServerSentEvents.SseFormatter</c> writes events only, and the protocol here needs comments (the
/// heartbeat, <c>: reconnect</c> and <c>: end</c>) and a timeout on each write (<see cref="EventStreamResult"/>).
/// </remarks>
public static class ServerSentEvents
{
    public const string MediaType = "text/event-stream";

    private static readonly byte[] EndOfEvent = "\n\n"u8.ToArray();

    /// <summary>The message as UTF-8, in parts to be written one after the other (an event's JSON is not copied into a frame).</summary>
    public static IReadOnlyList<byte[]> Format(EventStreamMessage message, JsonSerializerOptions json) => message.Kind switch
    {
        EventStreamMessageKind.Event => Event(message.SessionEvent!, json),
        EventStreamMessageKind.SessionEvent => Message(null, "event", JsonSerializer.SerializeToUtf8Bytes(message.SessionEvent!, json)),
        EventStreamMessageKind.Session => Message(message.Position, "session", JsonSerializer.SerializeToUtf8Bytes(message.Session!, json)),
        EventStreamMessageKind.SessionDeleted => Message(message.Position, "deleted", JsonSerializer.SerializeToUtf8Bytes(message.Deletion!, json)),
        EventStreamMessageKind.Heartbeat => [Comment("heartbeat")],
        EventStreamMessageKind.Reconnect => [Comment("reconnect: this connection reached its time limit; reconnect with Last-Event-ID")],
        _ => [Comment($"end: {message.Reason}")],
    };

    /// <summary>A comment line: keeps the connection busy, shows in curl, is ignored by SSE clients.</summary>
    public static byte[] Comment(string text) => Encoding.UTF8.GetBytes($": {SingleLine(text)}\n\n");

    // A type is free text: a line break in it would end the field early, so it becomes a space here (the exact type is
    // in the data).
    private static byte[][] Event(SessionEventDto sessionEvent, JsonSerializerOptions json) =>
        Message(sessionEvent.Id.ToString("D"), SingleLine(sessionEvent.Type), JsonSerializer.SerializeToUtf8Bytes(sessionEvent, json));

    private static byte[][] Message(string? id, string name, byte[] data)
    {
        var head = Encoding.UTF8.GetBytes(id is null ? $"event: {name}\ndata: " : $"id: {id}\nevent: {name}\ndata: ");

        // The data must be one line, whatever the payload: a CR or LF in JSON text can only be whitespace between
        // tokens (inside a string it is escaped), so a space in its place leaves the same JSON. Nothing else ends an
        // SSE line: U+2028, U+2029 and U+0085 stay as they are, inside their strings.
        data.AsSpan().Replace((byte)'\r', (byte)' ');
        data.AsSpan().Replace((byte)'\n', (byte)' ');
        return [head, data, EndOfEvent];
    }

    /// <summary>Text on one line: CR and LF (the only line ends of SSE) become spaces.</summary>
    private static string SingleLine(string text) => text.Replace('\r', ' ').Replace('\n', ' ');
}
