using NSubstitute;
using Runtype.Application.Common;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.CreateSession;
using Runtype.Domain.Sessions;
using static Runtype.Application.Tests.TestData;

namespace Runtype.Application.Tests.Sessions;

public sealed class CreateSessionHandlerTests
{
    private readonly ISessionRepository _sessions = Substitute.For<ISessionRepository>();
    private readonly CreateSessionHandler _handler;
    private Session? _added;

    public CreateSessionHandlerTests()
    {
        _handler = new CreateSessionHandler(_sessions, NoWebhooks(), new SessionSettings(TimeToLive), Clock());
        _sessions.Add(Arg.Do<Session>(s => _added = s));
    }

    [Fact]
    public async Task Saves_a_new_intake_session_of_the_caller_and_returns_it()
    {
        const string prd = """{ "goal": "a shop", "pages": [ "home" ] }""";

        var result = await _handler.Handle(new CreateSession(Owner, "2024-06", "v3", Json(prd)), Ct);
        var dto = result.Value;

        Assert.NotNull(_added);
        Assert.Equal(Owner.UserId, _added.UserId);
        Assert.Equal(Owner.OrganizationId, _added.OrganizationId);
        Assert.Equal(SessionStatus.Intake, _added.Status);
        Assert.Equal("2024-06", _added.CatalogVersion);
        Assert.Equal("v3", _added.SchemaVersion);
        Assert.Equal(prd, _added.Prd);
        Assert.Equal(Ms(Now), _added.CreatedAt);
        Assert.Equal(Ms(Now) + TimeToLive, _added.ExpiresAt);
        Received.InOrder(() =>
        {
            _sessions.Add(_added);
            _sessions.SaveChangesAsync(Ct);
        });
        _ = _sessions.Received(1).SaveChangesAsync(Arg.Any<CancellationToken>());

        Assert.Equal(_added.Id, dto.Id);
        Assert.Equal("intake", dto.Status);
        Assert.Equal(prd, dto.Prd);
        Assert.Equal(Ms(Now), dto.CreatedAt);
        Assert.Equal(Ms(Now), dto.UpdatedAt);
        Assert.Equal(Ms(Now) + TimeToLive, dto.ExpiresAt);
        Assert.Equal(1, result.Version);
    }

    [Fact]
    public async Task The_time_to_live_comes_from_the_settings()
    {
        var handler = new CreateSessionHandler(_sessions, NoWebhooks(), new SessionSettings(TimeSpan.FromHours(2)), Clock());

        var dto = (await handler.Handle(new CreateSession(Owner, null, null, null), Ct)).Value;

        Assert.Equal(Ms(Now) + TimeSpan.FromHours(2), dto.ExpiresAt);
    }

    [Fact]
    public async Task Every_field_is_optional()
    {
        var dto = (await _handler.Handle(new CreateSession(new Caller("user_solo", null), null, null, null), Ct)).Value;

        Assert.NotNull(_added);
        Assert.Equal("user_solo", dto.UserId);
        Assert.Null(dto.OrganizationId);
        Assert.Null(dto.CatalogVersion);
        Assert.Null(dto.SchemaVersion);
        Assert.Null(dto.Prd);
        Assert.Null(_added.Prd);
        _ = _sessions.Received(1).SaveChangesAsync(Ct);
    }

    [Fact]
    public async Task A_json_null_prd_is_stored_as_no_prd()
    {
        var dto = (await _handler.Handle(new CreateSession(Owner, null, null, Json("null")), Ct)).Value;

        Assert.Null(dto.Prd);
        Assert.Null(_added!.Prd);
    }

    [Fact]
    public async Task Reads_the_time_from_the_clock()
    {
        var later = Now.AddDays(3);
        var handler = new CreateSessionHandler(_sessions, NoWebhooks(), new SessionSettings(TimeToLive), Clock(later));

        var dto = (await handler.Handle(new CreateSession(Owner, null, null, null), Ct)).Value;

        Assert.Equal(Ms(later), dto.CreatedAt);
    }
}
