using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Runtype.Sessions.Client;

/// <summary>
/// The client over an <see cref="HttpClient"/> whose base address, credential and retries the DI registration sets
/// (<see cref="RuntypeSessionsServiceCollectionExtensions.AddRuntypeSessionsClient"/>).
/// </summary>
public sealed class RuntypeSessionsClient : IRuntypeSessionsClient
{
    private const string Sessions = "v1/products/generation/sessions";
    private const string JsonMediaType = "application/json";
    private const string EventStreamMediaType = "text/event-stream";
    private const string IdempotencyKeyHeader = "Idempotency-Key";

    private readonly HttpClient _http;
    private readonly RuntypeSessionsClientOptions _options;

    /// <summary>Creates the client; the DI registration does, with an <see cref="HttpClient"/> from <see cref="IHttpClientFactory"/>.</summary>
    /// <param name="http">A client whose base address is the API's and which sends the credential.</param>
    /// <param name="options">The options (stream reconnect delays).</param>
    public RuntypeSessionsClient(HttpClient http, IOptions<RuntypeSessionsClientOptions> options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options.Value;
    }

    /// <inheritdoc />
    public async Task<SessionPage> ListSessionsAsync(SessionStatus? status = null, int? limit = null, int? offset = null, CancellationToken cancellationToken = default)
    {
        var query = Query(("status", status?.Value), ("limit", limit?.ToString(CultureInfo.InvariantCulture)), ("offset", offset?.ToString(CultureInfo.InvariantCulture)));
        using var request = new HttpRequestMessage(HttpMethod.Get, Sessions + query);
        return (await SendAsync<SessionPage>(request, cancellationToken)).Value;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<Session> ListAllSessionsAsync(SessionStatus? status = null, int pageSize = 100, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        for (var offset = 0; ; )
        {
            var page = await ListSessionsAsync(status, pageSize, offset, cancellationToken);
            foreach (var session in page.Data)
            {
                yield return session;
            }

            offset += page.Data.Count;
            if (page.Data.Count == 0 || offset >= page.Pagination.Total)
            {
                yield break;
            }
        }
    }

    /// <inheritdoc />
    public async Task<Session> CreateSessionAsync(NewSession? session = null, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Sessions) { Content = Json(JsonSerializer.Serialize(session ?? new NewSession(), RuntypeJson.Options)) };
        request.Headers.Add(IdempotencyKeyHeader, idempotencyKey ?? Guid.NewGuid().ToString());
        var (created, etag) = await SendAsync<Session>(request, cancellationToken);
        return created with { ETag = etag };
    }

    /// <inheritdoc />
    public async Task<SessionDetails> GetSessionAsync(Guid id, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Sessions}/{id:D}");
        var (session, etag) = await SendAsync<SessionDetails>(request, cancellationToken);
        return session with { ETag = etag };
    }

    /// <inheritdoc />
    public async Task<SessionDetails?> GetSessionIfChangedAsync(Session session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Sessions}/{session.Id:D}");
        if (session.ETag is { } etag)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            return null;
        }

        var current = await ReadAsync<SessionDetails>(response, cancellationToken);
        return current with { ETag = ETagOf(response) };
    }

    /// <inheritdoc />
    public async Task<Session> UpdateSessionAsync(Guid id, SessionUpdate update, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"{Sessions}/{id:D}") { Content = Json(update.ToJson()) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        var (session, etag) = await SendAsync<Session>(request, cancellationToken);
        return session with { ETag = etag };
    }

    /// <inheritdoc />
    public Task<Session> UpdateSessionAsync(Session session, SessionUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        return UpdateSessionAsync(session.Id, update, session.ETag ?? throw new ArgumentException("The session carries no ETag: read it with GetSessionAsync first.", nameof(session)), cancellationToken);
    }

    /// <inheritdoc />
    public async Task DeleteSessionAsync(Guid id, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"{Sessions}/{id:D}");
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<SessionEvent> AppendEventAsync(Guid sessionId, NewSessionEvent newEvent, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newEvent);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Sessions}/{sessionId:D}/events") { Content = Json(JsonSerializer.Serialize(newEvent, RuntypeJson.Options)) };
        request.Headers.Add(IdempotencyKeyHeader, idempotencyKey ?? Guid.NewGuid().ToString());
        return (await SendAsync<SessionEvent>(request, cancellationToken)).Value;
    }

    /// <inheritdoc />
    public async Task<SessionEvent> GetEventAsync(Guid sessionId, Guid eventId, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Sessions}/{sessionId:D}/events/{eventId:D}");
        return (await SendAsync<SessionEvent>(request, cancellationToken)).Value;
    }

    /// <inheritdoc />
    public async Task<SessionEventPage> ListEventsAsync(Guid sessionId, Guid? after = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var query = Query(("after", after?.ToString("D")), ("limit", limit?.ToString(CultureInfo.InvariantCulture)));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Sessions}/{sessionId:D}/events{query}");
        return (await SendAsync<SessionEventPage>(request, cancellationToken)).Value;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<SessionEvent> ListAllEventsAsync(Guid sessionId, Guid? after = null, int pageSize = 100, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        do
        {
            var page = await ListEventsAsync(sessionId, after, pageSize, cancellationToken);
            foreach (var sessionEvent in page.Data)
            {
                yield return sessionEvent;
            }

            after = page.Pagination.Next;
        }
        while (after is not null);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<SessionEvent> StreamEventsAsync(Guid sessionId, Guid? lastEventId = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var failures = 0;
        var delay = _options.StreamReconnectDelay;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{Sessions}/{sessionId:D}/events/stream");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(EventStreamMediaType));
            if (lastEventId is { } last)
            {
                request.Headers.TryAddWithoutValidation("Last-Event-ID", last.ToString("D"));
            }

            var response = await ConnectAsync(request, cancellationToken);
            if (response is null)
            {
                await WaitBeforeReconnectAsync(++failures, delay, cancellationToken);
                continue;
            }

            using (response)
            {
                if (response.StatusCode == HttpStatusCode.NoContent)
                {
                    yield break; // nothing left to send: the session had ended
                }

                await EnsureSuccessAsync(response, cancellationToken);
                using var reader = new ServerSentEventReader(await response.Content.ReadAsStreamAsync(cancellationToken));
                while (true)
                {
                    var message = await reader.ReadAsync(cancellationToken);
                    if (message.Retry is { } retry)
                    {
                        delay = retry;
                    }

                    if (message.Kind == ServerSentEventKind.Event)
                    {
                        var sessionEvent = JsonSerializer.Deserialize<SessionEvent>(message.Data!, RuntypeJson.Options)
                            ?? throw new JsonException("The stream sent an event without data.");
                        lastEventId = sessionEvent.Id;
                        failures = 0;
                        yield return sessionEvent;
                        continue;
                    }

                    if (message.Kind == ServerSentEventKind.End)
                    {
                        yield break;
                    }

                    break; // Reconnect (asked by the server) or Dropped
                }

                if (reader.LastKind == ServerSentEventKind.Dropped)
                {
                    await WaitBeforeReconnectAsync(++failures, delay, cancellationToken);
                }
            }
        }
    }

    /// <inheritdoc />
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync("health/ready", cancellationToken);
        return response.StatusCode == HttpStatusCode.OK;
    }

    private async Task<HttpResponseMessage?> ConnectAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException) when (!cancellationToken.IsCancellationRequested)
        {
            return null; // the server is away (restarting, a replica gone): try again after a while
        }
    }

    private async Task WaitBeforeReconnectAsync(int failures, TimeSpan first, CancellationToken cancellationToken)
    {
        if (failures > _options.MaxStreamReconnects)
        {
            throw new HttpRequestException($"The event stream could not be resumed after {_options.MaxStreamReconnects} attempts.");
        }

        var exponential = first.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16));
        var capped = Math.Min(exponential, _options.MaxStreamReconnectDelay.TotalMilliseconds);
        await Task.Delay(TimeSpan.FromMilliseconds(capped * (0.75 + (Random.Shared.NextDouble() / 2))), cancellationToken);
    }

    private async Task<(T Value, string? ETag)> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await _http.SendAsync(request, cancellationToken);
        return (await ReadAsync<T>(response, cancellationToken), ETagOf(response));
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonSerializer.DeserializeAsync<T>(body, RuntypeJson.Options, cancellationToken)
            ?? throw new JsonException($"The API answered {(int)response.StatusCode} with an empty body.");
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonElement? problem = null;
        if (response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.OrdinalIgnoreCase) == true)
        {
            try
            {
                problem = JsonDocument.Parse(text).RootElement.Clone();
            }
            catch (JsonException)
            {
                // not JSON after all: the text is the message
            }
        }

        var retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => (TimeSpan?)null,
        };
        throw new RuntypeApiException(response.StatusCode, problem, retryAfter, text);
    }

    private static string? ETagOf(HttpResponseMessage response) => response.Headers.ETag?.ToString();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, JsonMediaType);

    private static string Query(params (string Name, string? Value)[] values)
    {
        var set = values.Where(v => v.Value is not null).Select(v => $"{v.Name}={Uri.EscapeDataString(v.Value!)}").ToArray();
        return set.Length == 0 ? string.Empty : "?" + string.Join('&', set);
    }
}
