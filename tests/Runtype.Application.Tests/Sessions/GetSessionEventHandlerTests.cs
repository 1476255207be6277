using NSubstitute;
using Runtype.Application.Common;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.GetSessionEvent;
using static Runtype.Application.Tests.TestData;

namespace Runtype.Application.Tests.Sessions;

public sealed class GetSessionEventHandlerTests
{
    private readonly ISessionQueries _queries = Substitute.For<ISessionQueries>();

    [Fact]
    public async Task Returns_the_event_of_the_callers_session()
    {
        var session = SessionIn();
        var appended = session.AppendEvent("note", "intake", "hi", """{"k":[1]}""", Now);
        _queries.GetEventAsync(session.Id, appended.Id, Owner.UserId, Arg.Any<CancellationToken>()).Returns(appended);

        var dto = await new GetSessionEventHandler(_queries).Handle(new GetSessionEvent(Owner, session.Id, appended.Id), Ct);

        Assert.Equal(
            new SessionEventDto(appended.Id, session.Id, Owner.UserId, Owner.OrganizationId, "note", "intake", "hi", """{"k":[1]}""", Ms(Now)),
            dto);
        _ = _queries.Received(1).GetEventAsync(session.Id, appended.Id, Owner.UserId, Ct);
    }

    [Fact]
    public async Task A_missing_event_is_not_found()
    {
        var eventId = Guid.CreateVersion7();

        var error = await Assert.ThrowsAsync<NotFoundException>(async () =>
            await new GetSessionEventHandler(_queries).Handle(new GetSessionEvent(Owner, Guid.CreateVersion7(), eventId), Ct));

        Assert.Equal("event", error.Resource);
        Assert.Contains(eventId.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_of_another_users_session_is_not_found()
    {
        var session = SessionIn();
        var appended = session.AppendEvent("note", null, null, null, Now);
        _queries.GetEventAsync(session.Id, appended.Id, Owner.UserId, Arg.Any<CancellationToken>()).Returns(appended);

        await Assert.ThrowsAsync<NotFoundException>(async () =>
            await new GetSessionEventHandler(_queries).Handle(new GetSessionEvent(Stranger, session.Id, appended.Id), Ct));

        _ = _queries.Received(1).GetEventAsync(session.Id, appended.Id, Stranger.UserId, Ct);
    }
}
