using Mediator;
using Runtype.Application.Common;
using Runtype.Application.Common.Telemetry;
using Runtype.Application.Sessions.StreamSessionEvents;

namespace Runtype.Application.Sessions.StreamSessionChanges;

/// <summary>
/// Opens a live stream of the changes of all the caller's sessions: each session created or changed (with the events
/// appended to it) and each session deleted. Starts after <see cref="LastEventId"/>, a position this stream sent
/// earlier; without one, with what is committed from now on.
/// </summary>
public sealed record OpenSessionChangeStream(Caller Caller, string? LastEventId) : IQuery<SessionChangeStream>;

public sealed class OpenSessionChangeStreamHandler(
    ISessionEventFeed feed,
    SessionChangeSignal signal,
    EventStreamLimiter limiter,
    EventStreamSettings settings,
    RuntypeMetrics metrics,
    TimeProvider clock)
    : IQueryHandler<OpenSessionChangeStream, SessionChangeStream>
{
    public async ValueTask<SessionChangeStream> Handle(OpenSessionChangeStream query, CancellationToken cancellationToken)
    {
        ChangePosition? resumeAfter = query.LastEventId is null ? null
            : ChangePosition.TryParse(query.LastEventId, out var position) ? position
            : throw new InvalidOperationException("The validator lets only positions through.");
        var slot = await limiter.TryAcquireAsync(query.Caller.UserId, cancellationToken)
            ?? throw new TooManyStreamsException(settings.MaxPerUser, EventStreamSettings.RetryAfter);
        var stream = new SessionChangeStream(query.Caller.UserId, resumeAfter, feed, signal, clock, settings, limiter, metrics.StreamOpened(slot));
        try
        {
            await stream.OpenAsync(cancellationToken);
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }
}
