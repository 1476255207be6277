using System.Globalization;
using System.Text;

namespace Runtype.Sessions.Client;

internal enum ServerSentEventKind
{
    Event,
    Reconnect,
    End,
    Dropped,
}

internal readonly record struct ServerSentEvent(ServerSentEventKind Kind, string? Data, TimeSpan? Retry);

/// <summary>
/// Reads <c>text/event-stream</c> (WHATWG HTML, "Server-sent events") as the API writes it: an event is <c>id:</c>,
/// <c>event:</c> and <c>data:</c> lines and a blank line. Unlike a browser's EventSource it also reads the server's
/// comments that matter here: <c>: reconnect</c> (resume with Last-Event-ID) and <c>: end</c> (the stream is over).
/// The end of the bytes without <c>: end</c> is a dropped connection.
/// </summary>
internal sealed class ServerSentEventReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);

    public ServerSentEventKind? LastKind { get; private set; }

    public async Task<ServerSentEvent> ReadAsync(CancellationToken cancellationToken)
    {
        var message = await ReadMessageAsync(cancellationToken);
        LastKind = message.Kind;
        return message;
    }

    public void Dispose() => _reader.Dispose();

    private async Task<ServerSentEvent> ReadMessageAsync(CancellationToken cancellationToken)
    {
        var data = new StringBuilder();
        var hasData = false;
        TimeSpan? retry = null;
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(cancellationToken);
            }
            catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                return new(ServerSentEventKind.Dropped, null, retry);
            }

            if (line is null)
            {
                return new(ServerSentEventKind.Dropped, null, retry);
            }

            if (line.Length == 0)
            {
                if (hasData)
                {
                    return new(ServerSentEventKind.Event, data.ToString(), retry);
                }

                continue;
            }

            if (line[0] == ':')
            {
                var comment = line[1..].TrimStart();
                if (comment.StartsWith("reconnect", StringComparison.Ordinal))
                {
                    return new(ServerSentEventKind.Reconnect, null, retry);
                }

                if (comment.StartsWith("end", StringComparison.Ordinal))
                {
                    return new(ServerSentEventKind.End, null, retry);
                }

                continue; // a heartbeat
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            switch (field)
            {
                case "data":
                    if (hasData)
                    {
                        data.Append('\n');
                    }

                    data.Append(value);
                    hasData = true;
                    break;
                case "retry" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds):
                    retry = TimeSpan.FromMilliseconds(milliseconds);
                    break;
                default:
                    break; // id and event: the data carries both
            }
        }
    }
}
