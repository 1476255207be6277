using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Runtype.Application.Sessions.StreamSessionChanges;
using Runtype.Application.Sessions.StreamSessionEvents;

namespace Runtype.Api.Sessions;

/// <summary>
/// Writes a live stream (<see cref="SessionEventStream"/>, <see cref="SessionChangeStream"/>) as <c>text/event-stream</c>, flushing each message as it comes. It ends
/// when the stream ends, when the client goes away (RequestAborted) or when the server stops (a client then
/// reconnects, to this or another replica, with <c>Last-Event-ID</c>); the user's stream slot is freed in every case.
/// </summary>
public sealed class EventStreamResult(IDisposable stream, string opening, Func<CancellationToken, IAsyncEnumerable<EventStreamMessage>> messages) : IActionResult
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

    public async Task ExecuteResultAsync(ActionContext context)
    {
        using var owned = stream;
        var http = context.HttpContext;
        var json = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.JsonSerializerOptions;
        var stopping = http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);

        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ServerSentEvents.MediaType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        try
        {
            await WriteAsync(response, ServerSentEvents.Comment(opening), stop.Token);
            await foreach (var message in messages(stop.Token))
            {
                await WriteAsync(response, ServerSentEvents.Format(message, json), stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client went away or the server is stopping: nobody is left to answer, and nothing went wrong.
        }
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
