using FluentValidation;
using FluentValidation.Results;
using Mediator;
using Runtype.Application.Common;
using Runtype.Domain.Common;

namespace Runtype.Application.Sessions.ListSessionEvents;

/// <summary>
/// A page of one of the caller's sessions' events, oldest first (commit order), starting after the event
/// <see cref="After"/> (from the first event when null). <see cref="After"/> must name an event of this session.
/// </summary>
public sealed record ListSessionEvents(Caller Caller, Guid SessionId, string? After, int Limit = ListSessionEvents.DefaultLimit)
    : IQuery<SessionEventPage>
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;
}

public sealed class ListSessionEventsHandler(ISessionQueries queries) : IQueryHandler<ListSessionEvents, SessionEventPage>
{
    public async ValueTask<SessionEventPage> Handle(ListSessionEvents query, CancellationToken cancellationToken)
    {
        var session = await queries.GetAsync(query.SessionId, query.Caller.UserId, cancellationToken)
            ?? throw new NotFoundException("session", query.SessionId);
        var afterSequence = await EventCursor.ResolveAsync(queries, session.Id, session.UserId, query.After, "after", cancellationToken);

        // One more than asked for tells whether a next page exists, without a count.
        var events = await queries.GetEventsAfterAsync(session.Id, afterSequence, query.Limit + 1, cancellationToken);
        var page = events.Count > query.Limit ? events.Take(query.Limit).ToArray() : events;
        var next = events.Count > query.Limit ? page[^1].Id : (Guid?)null;
        return new SessionEventPage([.. page.Select(e => e.ToDto())], new EventPagination(query.Limit, Uuid.TryParse(query.After, out var after) ? after : null, next));
    }
}

/// <summary>Turns a client's "after this event" position (a query value or a <c>Last-Event-ID</c>) into a sequence number.</summary>
internal static class EventCursor
{
    /// <summary>
    /// The sequence of event <paramref name="eventId"/> of the session; 0 (before the first event) when null. An id
    /// that names no event of this session is a validation failure of <paramref name="field"/>: the session exists
    /// (it was checked first), the position given for it does not.
    /// </summary>
    public static async Task<long> ResolveAsync(
        ISessionQueries queries, Guid sessionId, string userId, string? eventId, string field, CancellationToken cancellationToken)
    {
        if (eventId is null)
        {
            return 0;
        }

        var found = Uuid.TryParse(eventId, out var id) ? await queries.GetEventAsync(sessionId, id, userId, cancellationToken) : null;
        return found?.Sequence ?? throw new ValidationException(
            [new ValidationFailure(field, $"{field} must be the id of an event of this session; '{eventId}' is not.")]);
    }

    /// <summary>Absent, or a UUID in the only form that names anything (<see cref="Uuid"/>).</summary>
    public static bool IsEventId(string? value) => value is null || Uuid.IsValid(value);
}
