using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Mediator;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Runtype.Api.Auth;
using Runtype.Api.Http;
using Runtype.Api.OpenApi;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.AppendSessionEvent;
using Runtype.Application.Sessions.CreateSession;
using Runtype.Application.Sessions.DeleteSession;
using Runtype.Application.Sessions.GetSession;
using Runtype.Application.Sessions.GetSessionEvent;
using Runtype.Application.Sessions.ListSessionEvents;
using Runtype.Application.Sessions.ListSessions;
using Runtype.Application.Sessions.StreamSessionChanges;
using Runtype.Application.Sessions.StreamSessionEvents;
using Runtype.Application.Sessions.UpdateSession;
using Runtype.Domain.Sessions;

namespace Runtype.Api.Sessions;

/// <summary>
/// The six published calls of Product Generation (contract §4) and the additions beside them (the event calls, the
/// stream of all sessions). Bind, send,
/// translate: nothing else. The attributes are the OpenAPI description too (docs/openapi.md): the errors and headers
/// every call of a kind has (401/403/429/500/503, 404 for a path id, 400/413/415 for a body, …) are added by
/// <c>OperationConventions</c>; an action names only its own.
/// </summary>
[ApiController]
[Route(BasePath)]
[Description("Generation sessions and their event logs.")]
[Produces("application/json")]
public sealed class SessionsController(ISender sender) : ControllerBase
{
    public const string BasePath = "v1/products/generation/sessions";

    private const string ETagDescription = "The session's version: send it in If-Match (PATCH, DELETE) or If-None-Match (GET).";
    /// <summary>An event id as <c>after</c> and <c>Last-Event-ID</c> take it: a UUID in the 8-4-4-4-12 form.</summary>
    private const string UuidPattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

    private const string ETagPattern = "^\"[0-9]+\"$";

    /// <summary>List generation sessions: the caller's sessions, newest first.</summary>
    [HttpGet]
    [EndpointName("listSessions")]
    [Authorize(Policy = CallerClaims.ReadPolicy)]
    [ProducesResponseType<SessionPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public async Task<ActionResult<SessionPage>> List(
        [FromQuery, EnumDataType(typeof(SessionStatus))] string? status,
        [FromQuery, Range(1, ListSessions.MaxLimit), DefaultValue(ListSessions.DefaultLimit)] int? limit,
        [FromQuery, Range(0, int.MaxValue), DefaultValue(0)] int? offset,
        CancellationToken cancellationToken) =>
        await sender.Send(new ListSessions(User.ToCaller(), status, limit ?? ListSessions.DefaultLimit, offset ?? 0), cancellationToken);

    /// <summary>Follow all of your sessions live, as Server-Sent Events.</summary>
    /// <remarks>
    /// `text/event-stream` of every change of the caller's sessions, for dashboards. For a session created or changed
    /// (fields, status, expiry, an event appended): first its new events, each as `event: event` with the event JSON
    /// (as `GET /events/{eventId}` returns it), then `event: session` with the session as it stands (as `GET /{id}`
    /// returns it, without `events`). For a session deleted: `event: deleted` with `{"id", "userId"}`. Sessions and
    /// deletions carry an `id:`, the position to resume after: send the last one as `Last-Event-ID` to continue where
    /// you left off (without it the stream starts with what is committed after it opens; read the list first). Delivery
    /// is at least once: a reconnect may repeat the last change, so drop events you have by their id and apply a
    /// session only when its `updatedAt` is not older than the one you show. A `: heartbeat` comment is sent after 15 s
    /// without anything else; a connection lasts at most 30 min (Streams:MaxDuration), then `: reconnect` asks the
    /// client to resume with `Last-Event-ID`. It counts against the same per-user cap as the per-session stream
    /// (Streams:MaxPerUser, default 5): beyond it, 429 with Retry-After.
    /// </remarks>
    [HttpGet("stream")]
    [EndpointName("streamSessions")]
    [Authorize(Policy = CallerClaims.ReadPolicy)]
    [ConnectionUntilAnswerStarts]
    [Produces(ServerSentEvents.MediaType)]
    [ProducesResponseType<string>(StatusCodes.Status200OK, ServerSentEvents.MediaType, Description = "The stream: `event: event`, `event: session` and `event: deleted` messages and `:` comments, until the connection's time is up.")]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public async Task<IActionResult> StreamSessions(
        [FromHeader(Name = OpenSessionEventStream.LastEventIdField)]
        [Description("The `id:` of the last session or deletion received, to resume after it (sent by EventSource on reconnect). Absent: only what is committed after the stream opens.")]
        string? lastEventId,
        CancellationToken cancellationToken) =>
        new EventStreamResult(await sender.Send(new OpenSessionChangeStream(User.ToCaller(), lastEventId), cancellationToken));

    /// <summary>Create a generation session, in status intake.</summary>
    [HttpPost]
    [EndpointName("createSession")]
    [Authorize(Policy = CallerClaims.WritePolicy)]
    [Consumes("application/json")]
    [ProducesResponseType<SessionDto>(StatusCodes.Status201Created)]
    [ResponseHeader("ETag", ETagDescription, StatusCodes.Status201Created, Pattern = ETagPattern)]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status415UnsupportedMediaType, "application/problem+json")]
    public async Task<ActionResult<SessionDto>> Create(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] CreateSessionRequest? body,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        CancellationToken cancellationToken)
    {
        var created = await sender.Send(
            new CreateSession(User.ToCaller(), body?.CatalogVersion, body?.SchemaVersion, body?.Prd, idempotencyKey), cancellationToken);
        Response.Headers.ETag = ETags.Format(created.Version);
        return Created($"/{BasePath}/{created.Value.Id}", created.Value);
    }

    /// <summary>Get session details, with its events oldest first.</summary>
    [HttpGet("{id:uuid}")]
    [EndpointName("getSession")]
    [Authorize(Policy = CallerClaims.ReadPolicy)]
    [ProducesResponseType<SessionDetailsDto>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status304NotModified)]
    [ResponseHeader("ETag", ETagDescription, StatusCodes.Status200OK, StatusCodes.Status304NotModified, Pattern = ETagPattern)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<ActionResult<SessionDetailsDto>> Get(
        Guid id, [FromHeader(Name = "If-None-Match")] string? ifNoneMatch, CancellationToken cancellationToken)
    {
        var session = await sender.Send(new GetSession(User.ToCaller(), id), cancellationToken);
        Response.Headers.ETag = ETags.Format(session.Version);
        return ETags.MatchesIfNoneMatch(ifNoneMatch, session.Version) ? StatusCode(StatusCodes.Status304NotModified) : session.Value;
    }

    /// <summary>Update a generation session: status, PRD, plan, product object, assembly state.</summary>
    [HttpPatch("{id:uuid}")]
    [EndpointName("updateSession")]
    [Authorize(Policy = CallerClaims.WritePolicy)]
    [Consumes("application/json")]
    [ProducesResponseType<SessionDto>(StatusCodes.Status200OK)]
    [ResponseHeader("ETag", ETagDescription, StatusCodes.Status200OK, Pattern = ETagPattern)]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status415UnsupportedMediaType, "application/problem+json")]
    public async Task<ActionResult<SessionDto>> Update(
        Guid id, [FromBody, Required] UpdateSessionRequest body, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken cancellationToken)
    {
        var updated = await sender.Send(
            new UpdateSession(User.ToCaller(), id, body.Status, body.Prd, body.Plan, body.ProductObject, body.ProductObjectHash, body.AssemblyState, ETags.ParseIfMatch(ifMatch)),
            cancellationToken);
        Response.Headers.ETag = ETags.Format(updated.Version);
        return updated.Value;
    }

    /// <summary>Delete a generation session and its events.</summary>
    [HttpDelete("{id:uuid}")]
    [EndpointName("deleteSession")]
    [Authorize(Policy = CallerClaims.WritePolicy)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed, "application/problem+json")]
    public async Task<IActionResult> Delete(Guid id, [FromHeader(Name = "If-Match")] string? ifMatch, CancellationToken cancellationToken)
    {
        await sender.Send(new DeleteSession(User.ToCaller(), id, ETags.ParseIfMatch(ifMatch)), cancellationToken);
        return NoContent();
    }

    /// <summary>Append an event to a session.</summary>
    [HttpPost("{id:uuid}/events")]
    [EndpointName("appendSessionEvent")]
    [Authorize(Policy = CallerClaims.WritePolicy)]
    [Consumes("application/json")]
    [ProducesResponseType<SessionEventDto>(StatusCodes.Status201Created)]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status415UnsupportedMediaType, "application/problem+json")]
    public async Task<ActionResult<SessionEventDto>> AppendEvent(
        Guid id,
        [FromBody, Required] AppendEventRequest body,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        CancellationToken cancellationToken)
    {
        var appended = await sender.Send(
            new AppendSessionEvent(User.ToCaller(), id, body.Type, body.Stage, body.Message, body.Payload, idempotencyKey), cancellationToken);
        return Created($"/{BasePath}/{id}/events/{appended.Id}", appended);
    }

    /// <summary>Get one event of a session.</summary>
    [HttpGet("{id:uuid}/events/{eventId:uuid}")]
    [EndpointName("getSessionEvent")]
    [Authorize(Policy = CallerClaims.ReadPolicy)]
    [ProducesResponseType<SessionEventDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<ActionResult<SessionEventDto>> GetEvent(Guid id, Guid eventId, CancellationToken cancellationToken) =>
        await sender.Send(new GetSessionEvent(User.ToCaller(), id, eventId), cancellationToken);

    /// <summary>List a session's events, oldest first, a page at a time.</summary>
    /// <remarks>
    /// For sessions with long histories. `after` is the id of an event of this session (omit it to start at the first
    /// event); an id that is not an event of this session is a 400 naming `after`. `limit` is 1–500, default 100.
    /// `pagination.next` is the `after` of the next page, or null when this page reaches the end of the log as it
    /// stands (to follow new events, use the stream).
    /// </remarks>
    [HttpGet("{id:uuid}/events")]
    [EndpointName("listSessionEvents")]
    [Authorize(Policy = CallerClaims.ReadPolicy)]
    [ProducesResponseType<SessionEventPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<ActionResult<SessionEventPage>> ListEvents(
        Guid id,
        [FromQuery, RegularExpression(UuidPattern)] string? after,
        [FromQuery, Range(1, ListSessionEvents.MaxLimit), DefaultValue(ListSessionEvents.DefaultLimit)] int? limit,
        CancellationToken cancellationToken) =>
        await sender.Send(new ListSessionEvents(User.ToCaller(), id, after, limit ?? ListSessionEvents.DefaultLimit), cancellationToken);

    /// <summary>Follow a session's events live, as Server-Sent Events.</summary>
    /// <remarks>
    /// `text/event-stream`: first the events after `Last-Event-ID` (or all of them), then each new event as it is
    /// appended. Each event is `id:` (the event id), `event:` (its type) and `data:` (the event JSON, as
    /// `GET /events/{eventId}` returns it). A `: heartbeat` comment is sent after 15 s without events. The stream
    /// ends once the session is completed, failed, cancelled, expired or deleted and its events are sent (a final
    /// `: end: ...` comment says why). A connection lasts at most 30 min (Streams:MaxDuration); then `: reconnect`
    /// asks the client to resume with `Last-Event-ID`. Reconnecting when there is nothing left to send is answered
    /// 204. A user may hold a limited number of streams open at once (Streams:MaxPerUser, default 5): beyond it,
    /// 429 with Retry-After.
    /// </remarks>
    [HttpGet("{id:uuid}/events/stream")]
    [EndpointName("streamSessionEvents")]
    [Authorize(Policy = CallerClaims.ReadPolicy)]
    [ConnectionUntilAnswerStarts]
    [Produces(ServerSentEvents.MediaType)]
    [ProducesResponseType<string>(StatusCodes.Status200OK, ServerSentEvents.MediaType, Description = "The stream: one message per event and `:` comments, until the session ends or the connection's time is up.")]
    [ProducesResponseType(StatusCodes.Status204NoContent, Description = "Nothing left to send: the session has ended and every event after Last-Event-ID was sent.")]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public async Task<IActionResult> StreamEvents(
        Guid id,
        [FromHeader(Name = OpenSessionEventStream.LastEventIdField), RegularExpression(UuidPattern)]
        [Description("The id of the last event received, to resume after it (sent by EventSource on reconnect). Absent: every event from the first.")]
        string? lastEventId,
        CancellationToken cancellationToken)
    {
        var stream = await sender.Send(new OpenSessionEventStream(User.ToCaller(), id, lastEventId), cancellationToken);
        return stream is null ? NoContent() : new EventStreamResult(stream);
    }
}
