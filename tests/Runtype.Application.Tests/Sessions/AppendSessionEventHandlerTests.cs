using NSubstitute;
using Runtype.Application.Common;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.AppendSessionEvent;
using Runtype.Domain.Sessions;
using static Runtype.Application.Tests.TestData;

namespace Runtype.Application.Tests.Sessions;

public sealed class AppendSessionEventHandlerTests
{
    private readonly ISessionRepository _sessions = Substitute.For<ISessionRepository>();
    private readonly AppendSessionEventHandler _handler;

    public AppendSessionEventHandlerTests()
    {
        _handler = new AppendSessionEventHandler(_sessions, NoWebhooks(), Clock());
    }

    [Fact]
    public async Task Appends_the_event_saves_once_and_returns_it()
    {
        var session = Found(SessionIn(SessionStatus.Generating));
        var versionBefore = session.Version;
        const string payload = """{ "block": "hero", "ms": 1200 }""";

        var dto = await _handler.Handle(new AppendSessionEvent(Owner, session.Id, "block.generated", "generating", "Hero done", Json(payload)), Ct);

        var appended = session.NewEvents[^1];
        Assert.Equal(appended.Id, dto.Id);
        Assert.Equal(session.Id, dto.SessionId);
        Assert.Equal(Owner.UserId, dto.UserId);
        Assert.Equal(Owner.OrganizationId, dto.OrganizationId);
        Assert.Equal("block.generated", dto.Type);
        Assert.Equal("generating", dto.Stage);
        Assert.Equal("Hero done", dto.Message);
        Assert.Equal(payload, dto.Payload);
        Assert.Equal(Ms(Now), dto.CreatedAt);
        Assert.Equal(Ms(Now), session.UpdatedAt);
        Assert.Equal(versionBefore + 1, session.Version);
        _ = _sessions.Received(1).SaveChangesAsync(Ct);
    }

    [Fact]
    public async Task A_missing_payload_is_an_empty_object()
    {
        var session = Found(SessionIn());

        var dto = await _handler.Handle(new AppendSessionEvent(Owner, session.Id, "note", null, null, null), Ct);

        Assert.Equal("{}", dto.Payload);
        Assert.Null(dto.Stage);
        Assert.Null(dto.Message);
    }

    [Fact]
    public async Task A_missing_session_is_not_found_and_nothing_is_saved()
    {
        await Assert.ThrowsAsync<NotFoundException>(async () =>
            await _handler.Handle(new AppendSessionEvent(Owner, Guid.CreateVersion7(), "note", null, null, null), Ct));

        _ = _sessions.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Another_users_session_is_not_found_and_gets_no_event()
    {
        var session = Found(SessionIn());

        await Assert.ThrowsAsync<NotFoundException>(async () =>
            await _handler.Handle(new AppendSessionEvent(Stranger, session.Id, "note", null, null, null), Ct));

        Assert.Empty(session.NewEvents);
        _ = _sessions.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task The_reserved_type_is_refused_without_saving()
    {
        var session = Found(SessionIn());

        await Assert.ThrowsAsync<ReservedEventType>(async () =>
            await _handler.Handle(new AppendSessionEvent(Owner, session.Id, "status_changed", "completed", null, null), Ct));

        Assert.Empty(session.NewEvents);
        _ = _sessions.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData(SessionStatus.Completed)]
    [InlineData(SessionStatus.Failed)]
    [InlineData(SessionStatus.Cancelled)]
    public async Task A_terminal_session_is_read_only_and_nothing_is_saved(SessionStatus status)
    {
        var session = Found(SessionIn(status));
        var eventsBefore = session.NewEvents.Count;

        await Assert.ThrowsAsync<SessionIsReadOnly>(async () =>
            await _handler.Handle(new AppendSessionEvent(Owner, session.Id, "note", null, null, null), Ct));

        Assert.Equal(eventsBefore, session.NewEvents.Count);
        _ = _sessions.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task An_expired_session_is_refused_and_nothing_is_saved()
    {
        var session = Found(SessionIn());
        var handler = new AppendSessionEventHandler(_sessions, NoWebhooks(), Clock(Now + TimeToLive));

        await Assert.ThrowsAsync<SessionExpired>(async () =>
            await handler.Handle(new AppendSessionEvent(Owner, session.Id, "note", null, null, null), Ct));

        _ = _sessions.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
    }

    private Session Found(Session session)
    {
        _sessions.FindAsync(session.Id, Owner.UserId, Arg.Any<CancellationToken>()).Returns(session);
        return session;
    }
}
