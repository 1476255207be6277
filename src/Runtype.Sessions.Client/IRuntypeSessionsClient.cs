namespace Runtype.Sessions.Client;

/// <summary>
/// The calls of the Runtype Sessions API. Every call takes a <see cref="CancellationToken"/>; an error answer throws a
/// <see cref="RuntypeApiException"/> with the problem details. Register it with
/// <c>services.AddRuntypeSessionsClient(o =&gt; { o.BaseAddress = …; o.ApiKey = …; })</c>.
/// </summary>
public interface IRuntypeSessionsClient
{
    /// <summary>A page of the caller's sessions, newest first (<c>GET /v1/products/generation/sessions</c>).</summary>
    /// <param name="status">Only sessions in this status.</param>
    /// <param name="limit">Page size, 1 to 100 (server default 20).</param>
    /// <param name="offset">How many sessions to skip (default 0).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page, with its pagination.</returns>
    Task<SessionPage> ListSessionsAsync(SessionStatus? status = null, int? limit = null, int? offset = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// All the caller's sessions, newest first, read a page at a time as the sequence is enumerated. Sessions created
    /// or deleted while it runs may shift the pages (offset paging).
    /// </summary>
    /// <param name="status">Only sessions in this status.</param>
    /// <param name="pageSize">Sessions per request, 1 to 100.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The sessions (without events).</returns>
    IAsyncEnumerable<Session> ListAllSessionsAsync(SessionStatus? status = null, int pageSize = 100, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates a session in status <c>intake</c> (<c>POST /v1/products/generation/sessions</c>). The request carries an
    /// <c>Idempotency-Key</c> (<paramref name="idempotencyKey"/>, or a new one), so a retry after a lost answer creates
    /// nothing new.
    /// </summary>
    /// <param name="session">What the session starts with (all optional).</param>
    /// <param name="idempotencyKey">The key to send; a new UUID when null. Send the same key to retry yourself.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new session, with its <see cref="Session.ETag"/>.</returns>
    Task<Session> CreateSessionAsync(NewSession? session = null, string? idempotencyKey = null, CancellationToken cancellationToken = default);

    /// <summary>A session with its events (<c>GET /v1/products/generation/sessions/{id}</c>).</summary>
    /// <param name="id">The session's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The session, with its <see cref="Session.ETag"/>.</returns>
    Task<SessionDetails> GetSessionAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>The session if it changed since <paramref name="session"/> was read (<c>If-None-Match</c>), else null (304).</summary>
    /// <param name="session">A session read before, with its <see cref="Session.ETag"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The session as it is now, or null when it is unchanged.</returns>
    Task<SessionDetails?> GetSessionIfChangedAsync(Session session, CancellationToken cancellationToken = default);

    /// <summary>Changes a session (<c>PATCH /v1/products/generation/sessions/{id}</c>): only the fields <paramref name="update"/> sets.</summary>
    /// <param name="id">The session's id.</param>
    /// <param name="update">The fields to set or clear.</param>
    /// <param name="ifMatch">An ETag the session must still have, else 412 (null: no precondition).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The session after the change (without events), with its new <see cref="Session.ETag"/>.</returns>
    Task<Session> UpdateSessionAsync(Guid id, SessionUpdate update, string? ifMatch = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes <paramref name="session"/> only if nobody else has since it was read: its <see cref="Session.ETag"/> is
    /// sent as <c>If-Match</c>, and a stale one fails with 412 <c>precondition_failed</c>
    /// (<see cref="RuntypeApiException.CurrentETag"/> names the current one).
    /// </summary>
    /// <param name="session">The session as the caller holds it.</param>
    /// <param name="update">The fields to set or clear.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The session after the change, with its new <see cref="Session.ETag"/>.</returns>
    Task<Session> UpdateSessionAsync(Session session, SessionUpdate update, CancellationToken cancellationToken = default);

    /// <summary>Deletes a session and its events (<c>DELETE /v1/products/generation/sessions/{id}</c>).</summary>
    /// <param name="id">The session's id.</param>
    /// <param name="ifMatch">An ETag the session must still have (null: no precondition).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the session is gone.</returns>
    Task DeleteSessionAsync(Guid id, string? ifMatch = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends an event to a session's log (<c>POST /v1/products/generation/sessions/{id}/events</c>), with an
    /// <c>Idempotency-Key</c> like <see cref="CreateSessionAsync"/>.
    /// </summary>
    /// <param name="sessionId">The session's id.</param>
    /// <param name="newEvent">The event.</param>
    /// <param name="idempotencyKey">The key to send; a new UUID when null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The event as stored.</returns>
    Task<SessionEvent> AppendEventAsync(Guid sessionId, NewSessionEvent newEvent, string? idempotencyKey = null, CancellationToken cancellationToken = default);

    /// <summary>One event of a session (<c>GET /v1/products/generation/sessions/{id}/events/{eventId}</c>).</summary>
    /// <param name="sessionId">The session's id.</param>
    /// <param name="eventId">The event's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The event.</returns>
    Task<SessionEvent> GetEventAsync(Guid sessionId, Guid eventId, CancellationToken cancellationToken = default);

    /// <summary>A page of a session's events, oldest first (<c>GET /v1/products/generation/sessions/{id}/events</c>).</summary>
    /// <param name="sessionId">The session's id.</param>
    /// <param name="after">Start after this event (null: from the first).</param>
    /// <param name="limit">Page size, 1 to 500 (server default 100).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page; <see cref="EventPagination.Next"/> is the cursor of the next one.</returns>
    Task<SessionEventPage> ListEventsAsync(Guid sessionId, Guid? after = null, int? limit = null, CancellationToken cancellationToken = default);

    /// <summary>A session's events after <paramref name="after"/>, oldest first, read a page at a time as enumerated, to the end of the log as it stands.</summary>
    /// <param name="sessionId">The session's id.</param>
    /// <param name="after">Start after this event (null: from the first).</param>
    /// <param name="pageSize">Events per request, 1 to 500.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The events.</returns>
    IAsyncEnumerable<SessionEvent> ListAllEventsAsync(Guid sessionId, Guid? after = null, int pageSize = 100, CancellationToken cancellationToken = default);

    /// <summary>
    /// A session's events live (<c>GET /v1/products/generation/sessions/{id}/events/stream</c>, Server-Sent Events):
    /// those after <paramref name="lastEventId"/> (or all), then each new one as it is appended. The sequence ends when
    /// the server ends the stream (the session completed, failed, was cancelled, expired or deleted). A dropped
    /// connection, or the server's <c>: reconnect</c>, is followed by a reconnect with <c>Last-Event-ID</c>, after a
    /// growing delay for failures, so no event is missed or repeated.
    /// </summary>
    /// <param name="sessionId">The session's id.</param>
    /// <param name="lastEventId">Resume after this event (null: from the first).</param>
    /// <param name="cancellationToken">Stops following.</param>
    /// <returns>The events, in order.</returns>
    IAsyncEnumerable<SessionEvent> StreamEventsAsync(Guid sessionId, Guid? lastEventId = null, CancellationToken cancellationToken = default);

    /// <summary>Whether the API is ready to serve (<c>GET /health/ready</c>: its database reachable and migrated).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when ready.</returns>
    Task<bool> IsReadyAsync(CancellationToken cancellationToken = default);
}
