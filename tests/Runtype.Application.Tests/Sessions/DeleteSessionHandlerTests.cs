using Mediator;
using NSubstitute;
using Runtype.Application.Common;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.DeleteSession;
using Runtype.Domain.Sessions;
using static Runtype.Application.Tests.TestData;

namespace Runtype.Application.Tests.Sessions;

public sealed class DeleteSessionHandlerTests
{
    private readonly ISessionRepository _sessions = Substitute.For<ISessionRepository>();

    [Theory]
    [InlineData(SessionStatus.Intake)]
    [InlineData(SessionStatus.Generating)]
    [InlineData(SessionStatus.Completed)]
    [InlineData(SessionStatus.Cancelled)]
    public async Task Removes_the_callers_session_whatever_its_status_and_saves_once(SessionStatus status)
    {
        var session = SessionIn(status);
        _sessions.FindAsync(session.Id, Owner.UserId, Arg.Any<CancellationToken>()).Returns(session);

        var result = await new DeleteSessionHandler(_sessions, NoWebhooks(), Clock()).Handle(new DeleteSession(Owner, session.Id), Ct);

        Assert.Equal(Unit.Value, result);
        Received.InOrder(() =>
        {
            _sessions.Remove(session);
            _sessions.SaveChangesAsync(Ct);
        });
        _sessions.Received(1).Remove(Arg.Any<Session>());
        _ = _sessions.Received(1).SaveChangesAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_missing_session_is_not_found_and_nothing_is_removed()
    {
        await Assert.ThrowsAsync<NotFoundException>(async () =>
            await new DeleteSessionHandler(_sessions, NoWebhooks(), Clock()).Handle(new DeleteSession(Owner, Guid.CreateVersion7()), Ct));

        _sessions.DidNotReceive().Remove(Arg.Any<Session>());
        _ = _sessions.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Another_users_session_is_not_found_and_is_not_removed()
    {
        var session = SessionIn();
        _sessions.FindAsync(session.Id, Owner.UserId, Arg.Any<CancellationToken>()).Returns(session);

        await Assert.ThrowsAsync<NotFoundException>(async () =>
            await new DeleteSessionHandler(_sessions, NoWebhooks(), Clock()).Handle(new DeleteSession(Stranger, session.Id), Ct));

        _ = _sessions.Received(1).FindAsync(session.Id, Stranger.UserId, Ct);
        _sessions.DidNotReceive().Remove(Arg.Any<Session>());
        _ = _sessions.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
    }
}
