using Mediator;
using Runtype.Application.Common;
using Runtype.Application.Common.Telemetry;
using Runtype.Application.Sessions.ListSessionEvents;
using Runtype.Domain.Sessions;

namespace Runtype.Application.Sessions.StreamSessionEvents;

/// <summary>
/// Opens a live stream of one of the caller's sessions' events, starting after the event <see cref="LastEventId"/>
/// (from the first event when null). Null when there is nothing left to stream: the session is over and every
/// event after that position was already sent (a client that reconnects then is told to stop).
/// </summary>
public sealed record OpenSessionEventStream(Caller Caller, Guid SessionId, string? LastEventId) : IQuery<SessionEventStream?>
{
    /// <summary>The name of the request header (and of the field in validation errors) that carries <see cref="LastEventId"/>.</summary>
    public const string LastEventIdField = "Last-Event-ID";
}

public sealed class OpenSessionEventStreamHandler(
    ISessionQueries queries,
    ISessionEventFeed feed,
    SessionChangeSignal signal,
    EventStreamLimiter limiter,
    EventStreamSettings settings,
    RuntypeMetrics metrics,
    TimeProvider clock)
    : IQueryHandler<OpenSessionEventStream, SessionEventStream?>
{
    public async ValueTask<SessionEventStream?> Handle(OpenSessionEventStream query, CancellationToken cancellationToken)
    {
        var session = await queries.GetAsync(query.SessionId, query.Caller.UserId, cancellationToken)
            ?? throw new NotFoundException("session", query.SessionId);
        var afterSequence = await EventCursor.ResolveAsync(
            queries, session.Id, session.UserId, query.LastEventId, OpenSessionEventStream.LastEventIdField, cancellationToken);
        if (SessionLifecycle.IsTerminal(session.StatusAt(clock.GetUtcNow())) && afterSequence >= session.LastEventSequence)
        {
            return null;
        }

        var slot = await limiter.TryAcquireAsync(query.Caller.UserId, cancellationToken) ?? throw new TooManyStreamsException(settings.MaxPerUser, EventStreamSettings.RetryAfter);
        return new SessionEventStream(session.Id, session.UserId, afterSequence, feed, signal, clock, settings, limiter, metrics.StreamOpened(slot));
    }
}
