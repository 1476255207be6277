using System.Text;
using System.Text.Json;
using Runtype.Application.Sessions.StreamSessionEvents;

namespace Runtype.Api.Sessions;

/// <summary>
/// The text/event-stream wire format (WHATWG HTML, "Server-sent events"): an event is <c>id:</c> (the event id),
/// <c>event:</c> (its type) and <c>data:</c> (its JSON, the same shape as the event resource) lines, then a blank
/// line; heartbeats and the end of the stream are comment lines (<c>: ...</c>), which clients ignore.
/// </summary>
public static class ServerSentEvents
{
    public const string MediaType = "text/event-stream";

    public static string Format(EventStreamMessage message, JsonSerializerOptions json) => message.Kind switch
    {
        EventStreamMessageKind.Event => Event(message.SessionEvent!, json),
        EventStreamMessageKind.SessionEvent => Message(null, "event", JsonSerializer.Serialize(message.SessionEvent!, json)),
        EventStreamMessageKind.Session => Message(message.Position, "session", JsonSerializer.Serialize(message.Session!, json)),
        EventStreamMessageKind.SessionDeleted => Message(message.Position, "deleted", JsonSerializer.Serialize(message.Deletion!, json)),
        EventStreamMessageKind.Heartbeat => Comment("heartbeat"),
        EventStreamMessageKind.Reconnect => Comment("reconnect: this connection reached its time limit; reconnect with Last-Event-ID"),
        _ => Comment($"end: {message.Reason}"),
    };

    /// <summary>A comment line: keeps the connection busy, shows in curl, is ignored by SSE clients.</summary>
    public static string Comment(string text) => $": {SingleLine(text)}\n\n";

    // A type is free text: a line break in it would end the field early, so it becomes a space here (the exact type is
    // in the data).
    private static string Event(Application.Sessions.SessionEventDto sessionEvent, JsonSerializerOptions json) =>
        Message(sessionEvent.Id.ToString("D"), SingleLine(sessionEvent.Type), JsonSerializer.Serialize(sessionEvent, json));

    private static string Message(string? id, string name, string data)
    {
        var text = new StringBuilder();
        if (id is not null)
        {
            text.Append("id: ").Append(id).Append('\n');
        }

        text.Append("event: ").Append(name).Append('\n');

        // The JSON has line breaks only where a stored payload had them between its tokens; each line is a
        // data line, and clients join them with LF.
        foreach (var line in data.ReplaceLineEndings("\n").Split('\n'))
        {
            text.Append("data: ").Append(line).Append('\n');
        }

        return text.Append('\n').ToString();
    }

    private static string SingleLine(string text) => text.ReplaceLineEndings(" ").Replace('\r', ' ').Replace('\n', ' ');
}
