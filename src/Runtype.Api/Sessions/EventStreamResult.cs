using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Runtype.Application.Sessions.StreamSessionChanges;
using Runtype.Application.Sessions.StreamSessionEvents;

namespace Runtype.Api.Sessions;

/// <summary>
/// Writes a live stream (<see cref="SessionEventStream"/>, <see cref="SessionChangeStream"/>) as <c>text/event-stream</c>, flushing each message as it comes. It ends
/// when the stream ends, when the client goes away (RequestAborted), when the server stops (a client then reconnects,
/// to this or another replica, with <c>Last-Event-ID</c>), or when a write makes no progress for
/// <see cref="EventStreamSettings.WriteTimeout"/> (a client that does not read: its connection is closed, and what
/// the stream held is freed). The user's stream slot is freed in every case.
/// </summary>
public sealed partial class EventStreamResult(IDisposable stream, string opening, Func<CancellationToken, IAsyncEnumerable<EventStreamMessage>> messages)
    : IActionResult
{
    /// <summary>The stream of one session's events.</summary>
    public EventStreamResult(SessionEventStream stream)
        : this(stream, $"events of session {stream.SessionId:D}", stream.ReadAsync)
    {
    }

    /// <summary>The stream of the changes of all of a user's sessions.</summary>
    public EventStreamResult(SessionChangeStream stream)
        : this(stream, $"changes of the sessions of {stream.UserId}", stream.ReadAsync)
    {
    }

    /// <summary>A message is handed to the server this much at a time, each part within the write timeout.</summary>
    private const int ChunkBytes = 16 * 1024;

    public async Task ExecuteResultAsync(ActionContext context)
    {
        using var owned = stream;
        var http = context.HttpContext;
        var services = http.RequestServices;
        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.JsonSerializerOptions;
        var writeTimeout = services.GetRequiredService<EventStreamSettings>().WriteTimeout;
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);

        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ServerSentEvents.MediaType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        using var progress = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        try
        {
            await WriteAsync(response, [ServerSentEvents.Comment(opening)], progress, writeTimeout);
            await foreach (var message in messages(stop.Token))
            {
                await WriteAsync(response, ServerSentEvents.Format(message, json), progress, writeTimeout);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client went away or the server is stopping: nobody is left to answer, and nothing went wrong.
        }
        catch (OperationCanceledException) when (progress.IsCancellationRequested)
        {
            // The client stopped reading: close its connection, so that the server drops what it still buffers for it.
            LogStalled(services.GetRequiredService<ILogger<EventStreamResult>>(), opening, writeTimeout.TotalSeconds);
            http.Abort();
        }
    }

    /// <summary>Hands a message to the server a chunk at a time; each chunk must be taken within the timeout.</summary>
    private static async Task WriteAsync(HttpResponse response, IReadOnlyList<byte[]> parts, CancellationTokenSource progress, TimeSpan timeout)
    {
        foreach (var part in parts)
        {
            for (var offset = 0; offset < part.Length; offset += ChunkBytes)
            {
                progress.CancelAfter(timeout);
                await response.Body.WriteAsync(part.AsMemory(offset, Math.Min(ChunkBytes, part.Length - offset)), progress.Token);
            }
        }

        await response.Body.FlushAsync(progress.Token);
        progress.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event stream ({Stream}) closed: the client took nothing for {Seconds} s")]
    private static partial void LogStalled(ILogger logger, string stream, double seconds);
}
