namespace Runtype.Application.Sessions;

/// <summary>A page of a session's events, oldest first: the answer of <c>GET /sessions/{id}/events</c>.</summary>
public sealed record SessionEventPage(IReadOnlyList<SessionEventDto> Data, EventPagination Pagination);

/// <summary>
/// Where a page of events sits in the log: `after` echoes the request's cursor (null: from the first event);
/// `next` is the `after` of the following page, null when this page reaches the end of the log as it stands (new
/// events may still be appended later).
/// </summary>
public sealed record EventPagination(int Limit, Guid? After, Guid? Next);
