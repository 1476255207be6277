using NSubstitute;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.ListSessions;
using Runtype.Domain.Sessions;
using static Runtype.Application.Tests.TestData;

namespace Runtype.Application.Tests.Sessions;

public sealed class ListSessionsHandlerTests
{
    private readonly ISessionQueries _queries = Substitute.For<ISessionQueries>();

    [Fact]
    public async Task Asks_for_a_page_of_the_callers_sessions_and_maps_it()
    {
        var newer = SessionIn(SessionStatus.Planning);
        var older = SessionIn(SessionStatus.Completed);
        IReadOnlyList<Session> items = [newer, older];
        _queries.ListAsync(Owner.UserId, SessionStatus.Planning, 2, 40, Now, Arg.Any<CancellationToken>())
            .Returns((items, 57));

        var page = await new ListSessionsHandler(_queries, Clock()).Handle(new ListSessions(Owner, "planning", 2, 40), Ct);

        Assert.Equal([newer.Id, older.Id], page.Data.Select(s => s.Id));
        Assert.Equal(["planning", "completed"], page.Data.Select(s => s.Status));
        Assert.Equal(new Pagination(2, 40, 57), page.Pagination);
        _ = _queries.Received(1).ListAsync(Owner.UserId, SessionStatus.Planning, 2, 40, Now, Ct);
    }

    [Fact]
    public async Task Without_a_status_filter_every_status_is_asked_for()
    {
        _queries.ListAsync(Owner.UserId, null, ListSessions.DefaultLimit, 0, Now, Arg.Any<CancellationToken>())
            .Returns(((IReadOnlyList<Session>)[], 0));

        var page = await new ListSessionsHandler(_queries, Clock()).Handle(new ListSessions(Owner, null), Ct);

        Assert.Empty(page.Data);
        Assert.Equal(new Pagination(20, 0, 0), page.Pagination);
        _ = _queries.Received(1).ListAsync(Owner.UserId, null, 20, 0, Now, Ct);
    }

    [Fact]
    public async Task The_expired_filter_is_passed_to_the_query_with_the_current_time()
    {
        var clock = Clock(Now.AddDays(45));
        var stale = SessionIn(SessionStatus.Generating);
        _queries.ListAsync(Owner.UserId, SessionStatus.Expired, 20, 0, clock.GetUtcNow(), Arg.Any<CancellationToken>())
            .Returns(((IReadOnlyList<Session>)[stale], 1));

        var page = await new ListSessionsHandler(_queries, clock).Handle(new ListSessions(Owner, "expired"), Ct);

        Assert.Equal("expired", Assert.Single(page.Data).Status);
    }

    [Fact]
    public async Task Only_the_callers_sessions_are_asked_for()
    {
        _queries.ListAsync(Arg.Any<string>(), Arg.Any<SessionStatus?>(), Arg.Any<int>(), Arg.Any<int>(), Arg.Any<DateTimeOffset>(), Arg.Any<CancellationToken>()).Returns(((IReadOnlyList<Session>)[], 0));

        await new ListSessionsHandler(_queries, Clock()).Handle(new ListSessions(Stranger, null), Ct);

        _ = _queries.Received(1).ListAsync(Stranger.UserId, Arg.Any<SessionStatus?>(), Arg.Any<int>(), Arg.Any<int>(), Arg.Any<DateTimeOffset>(), Ct);
        _ = _queries.DidNotReceive().ListAsync(Owner.UserId, Arg.Any<SessionStatus?>(), Arg.Any<int>(), Arg.Any<int>(), Arg.Any<DateTimeOffset>(), Arg.Any<CancellationToken>());
    }
}
