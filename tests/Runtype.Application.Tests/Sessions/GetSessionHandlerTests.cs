using NSubstitute;
using Runtype.Application.Common;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.GetSession;
using Runtype.Domain.Sessions;
using static Runtype.Application.Tests.TestData;

namespace Runtype.Application.Tests.Sessions;

public sealed class GetSessionHandlerTests
{
    private readonly ISessionQueries _queries = Substitute.For<ISessionQueries>();

    [Fact]
    public async Task Returns_the_callers_session_with_its_events_oldest_first()
    {
        var session = SessionIn(SessionStatus.Planning);
        session.AppendEvent("note", "planning", "hello", """{"n":1}""", Now.AddMinutes(-10));
        IReadOnlyList<SessionEvent> events = [.. session.NewEvents];
        _queries.GetWithEventsAsync(session.Id, Owner.UserId, Arg.Any<CancellationToken>()).Returns((session, events.ToAsyncEnumerable()));

        var result = await new GetSessionHandler(_queries, Clock()).Handle(new GetSession(Owner, session.Id), Ct);
        var dto = result.Value;
        var mapped = await dto.Events.ToListAsync(Ct);

        Assert.Equal(session.Id, dto.Id);
        Assert.Equal("planning", dto.Status);
        Assert.Equal(session.Version, result.Version);
        Assert.Equal(["status_changed", "note"], mapped.Select(e => e.Type));
        Assert.Equal(events.Select(e => e.Id), mapped.Select(e => e.Id));
        Assert.Equal("""{"n":1}""", mapped[1].Payload);
        _ = _queries.Received(1).GetWithEventsAsync(session.Id, Owner.UserId, Ct);
    }

    [Fact]
    public async Task A_session_past_its_expiry_reads_as_expired()
    {
        var session = SessionIn(SessionStatus.Generating);
        _queries.GetWithEventsAsync(session.Id, Owner.UserId, Arg.Any<CancellationToken>()).Returns((session, AsyncEnumerable.Empty<SessionEvent>()));

        var dto = (await new GetSessionHandler(_queries, Clock(Now + TimeToLive)).Handle(new GetSession(Owner, session.Id), Ct)).Value;

        Assert.Equal("expired", dto.Status);
        Assert.Empty(await dto.Events.ToListAsync(Ct));
    }

    [Fact]
    public async Task A_missing_session_is_not_found()
    {
        var id = Guid.CreateVersion7();

        var error = await Assert.ThrowsAsync<NotFoundException>(async () => await new GetSessionHandler(_queries, Clock()).Handle(new GetSession(Owner, id), Ct));

        Assert.Contains(id.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_users_session_is_not_found()
    {
        var session = SessionIn();
        _queries.GetWithEventsAsync(session.Id, Owner.UserId, Arg.Any<CancellationToken>()).Returns((session, AsyncEnumerable.Empty<SessionEvent>()));

        await Assert.ThrowsAsync<NotFoundException>(async () => await new GetSessionHandler(_queries, Clock()).Handle(new GetSession(Stranger, session.Id), Ct));

        _ = _queries.Received(1).GetWithEventsAsync(session.Id, Stranger.UserId, Ct);
    }
}
