using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;

namespace Runtype.Api.Tests.Infrastructure;

/// <summary>One message of a text/event-stream: an event (id, event, data, from how many <c>data:</c> lines) or a comment.</summary>
public sealed record SseMessage(string? Id, string? Event, string? Data, string? Comment, int DataLines = 0)
{
    public bool IsComment => Comment is not null;

    public override string ToString() => IsComment ? $": {Comment}" : $"id={Id} event={Event} data={Data}";
}

/// <summary>
/// Reads a live Server-Sent Events response in the background and hands its messages over one by one. Every wait
/// is bounded (<see cref="Patience"/>) and fails with what was received so far; a wait can "tick" meanwhile (e.g.
/// move the service's fake clock so that its streams poll). Disposing it closes the connection, as a client that
/// goes away does.
/// </summary>
public sealed class EventStreamReader : IAsyncDisposable
{
    /// <summary>The longest any wait here lasts before the test fails: generous, as it is a bound and not a speed check.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan TickEvery = TimeSpan.FromMilliseconds(100);

    private readonly HttpResponseMessage _response;
    private readonly Channel<SseMessage> _messages = Channel.CreateUnbounded<SseMessage>();
    private readonly List<SseMessage> _received = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;

    private EventStreamReader(HttpResponseMessage response)
    {
        _response = response;
        _pump = PumpAsync();
    }

    public HttpResponseMessage Response => _response;

    /// <summary>The address of the stream of all of the caller's sessions, for <see cref="RequestPathAsync"/> and <see cref="OpenPathAsync"/>.</summary>
    public const string AllSessions = $"{Wire.Sessions}/stream";

    /// <summary>GET the stream of a session; the answer as it comes (headers read, body not).</summary>
    public static Task<HttpResponseMessage> RequestAsync(HttpClient client, string sessionId, string? lastEventId = null) =>
        RequestPathAsync(client, $"{Wire.Sessions}/{sessionId}/events/stream", lastEventId);

    /// <summary>Opens the stream of a session, asserts it is a 200 event stream, and starts reading it.</summary>
    public static Task<EventStreamReader> OpenAsync(HttpClient client, string sessionId, string? lastEventId = null) =>
        OpenPathAsync(client, $"{Wire.Sessions}/{sessionId}/events/stream", lastEventId);

    /// <summary>GET a stream at <paramref name="path"/>; the answer as it comes (headers read, body not).</summary>
    public static async Task<HttpResponseMessage> RequestPathAsync(HttpClient client, string path, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Patience);
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
    }

    /// <summary>Opens the stream at <paramref name="path"/>, asserts it is a 200 event stream, and starts reading it.</summary>
    public static async Task<EventStreamReader> OpenPathAsync(HttpClient client, string path, string? lastEventId = null)
    {
        var response = await RequestPathAsync(client, path, lastEventId);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            response.Dispose();
            Assert.Fail($"Expected the stream to open with 200, got {(int)response.StatusCode}: {body}");
        }

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new EventStreamReader(response);
    }

    /// <summary>Starts reading an answer of the stream call that is a 200 event stream.</summary>
    public static EventStreamReader Read(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new EventStreamReader(response);
    }

    /// <summary>The next event (comments skipped).</summary>
    public Task<SseMessage> NextEventAsync(Action? tick = null) => NextAsync(m => !m.IsComment, "an event", tick);

    /// <summary>The next message that satisfies <paramref name="match"/>; fails when another kind of event comes first.</summary>
    public async Task<SseMessage> NextAsync(Func<SseMessage, bool> match, string what, Action? tick = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if (_messages.Reader.TryRead(out var message))
            {
                if (match(message))
                {
                    return message;
                }

                if (!message.IsComment)
                {
                    Assert.Fail($"Waiting for {what}, the stream sent another event first: {message}. Received: {Received()}");
                }

                continue;
            }

            if (_messages.Reader.Completion.IsCompleted)
            {
                Assert.Fail($"The stream ended while waiting for {what}. Received: {Received()}");
            }

            await WaitAsync(deadline, what, tick);
        }
    }

    /// <summary>Waits until the server ends the stream; returns the messages sent until then.</summary>
    public async Task<IReadOnlyList<SseMessage>> ReadToEndAsync(Action? tick = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        var rest = new List<SseMessage>();
        while (true)
        {
            while (_messages.Reader.TryRead(out var message))
            {
                rest.Add(message);
            }

            if (_messages.Reader.Completion.IsCompleted)
            {
                await _pump;
                return rest;
            }

            await WaitAsync(deadline, "the end of the stream", tick);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Stopping the read first, then closing the response, is a client going away: the server sees RequestAborted.
        // (Disposing the response under a read of a chunked body can throw inside HttpClient's own chunk parser.)
        await _stop.CancelAsync();
        try
        {
            await _pump;
        }
        catch (OperationCanceledException)
        {
            // The read was stopped by this dispose.
        }
        catch (IOException)
        {
            // The connection was closed under the read by this dispose.
        }
        catch (ObjectDisposedException)
        {
            // The body stream was disposed under the read by this dispose.
        }

        _response.Dispose();
        _stop.Dispose();
    }

    private async Task WaitAsync(DateTime deadline, string what, Action? tick)
    {
        if (DateTime.UtcNow > deadline)
        {
            Assert.Fail($"No {what} within {Patience.TotalSeconds:0} s. Received: {Received()}");
        }

        var ready = _messages.Reader.WaitToReadAsync(TestContext.Current.CancellationToken).AsTask();
        await Task.WhenAny(ready, Task.Delay(TickEvery, TestContext.Current.CancellationToken));
        if (!ready.IsCompleted)
        {
            tick?.Invoke();
        }
    }

    private string Received()
    {
        lock (_received)
        {
            return _received.Count == 0 ? "(nothing)" : string.Join(" | ", _received);
        }
    }

    private async Task PumpAsync()
    {
        try
        {
            await using var body = await _response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(body, Encoding.UTF8);
            string? id = null, type = null;
            var data = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Count > 0)
                    {
                        Publish(new SseMessage(id, type, string.Join('\n', data), null, data.Count));
                    }

                    id = type = null;
                    data.Clear();
                    continue;
                }

                if (line[0] == ':')
                {
                    Publish(new SseMessage(null, null, null, line[1..].TrimStart(' ')));
                    continue;
                }

                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var field = colon < 0 ? line : line[..colon];
                var value = colon < 0 ? string.Empty : line[(colon + 1)..];
                value = value.StartsWith(' ') ? value[1..] : value;
                switch (field)
                {
                    case "id":
                        id = value;
                        break;
                    case "event":
                        type = value;
                        break;
                    case "data":
                        data.Add(value);
                        break;
                }
            }
        }
        finally
        {
            _messages.Writer.TryComplete();
        }
    }

    private void Publish(SseMessage message)
    {
        lock (_received)
        {
            _received.Add(message);
        }

        _messages.Writer.TryWrite(message);
    }
}
