using System.Text.Json;
using NSubstitute;
using Runtype.Application.Common;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.UpdateSession;
using Runtype.Domain.Common;
using Runtype.Domain.Sessions;
using static Runtype.Application.Tests.TestData;

namespace Runtype.Application.Tests.Sessions;

public sealed class UpdateSessionHandlerTests
{
    private const string Product = """{ "title": "Shop", "blocks": [ { "kind": "hero", "h": 1.0 } ] }""";

    /// <summary>SHA-256 of <c>{"blocks":[{"h":1,"kind":"hero"}],"title":"Shop"}</c>, computed with python3 hashlib.</summary>
    private const string ProductHash = "3cb4630c41fbcd1a886097323f88d9a0999fc7c545cd0e265957872c907bd333";

    private static readonly Optional<JsonElement?> JsonNull = Optional<JsonElement?>.Of(null);

    private readonly ISessionRepository _sessions = Substitute.For<ISessionRepository>();
    private readonly UpdateSessionHandler _handler;

    public UpdateSessionHandlerTests()
    {
        _handler = new UpdateSessionHandler(_sessions, NoWebhooks(), Clock());
    }

    [Fact]
    public async Task Applies_the_change_saves_once_and_returns_the_session()
    {
        var session = Found(SessionIn(SessionStatus.Assembling));
        var versionBefore = session.Version;

        var result = await _handler.Handle(
            new UpdateSession(Owner, session.Id, Status: "completed", Plan: Json("""{"steps":3}"""), ProductObject: Json(Product), ProductObjectHash: ProductHash, AssemblyState: Json("""{"progress":100}""")),
            Ct);
        var dto = result.Value;

        Assert.Equal(SessionStatus.Completed, session.Status);
        Assert.Equal("""{"steps":3}""", session.Plan);
        Assert.Equal(Product, session.ProductObject);
        Assert.Equal(versionBefore + 1, session.Version);
        _ = _sessions.Received(1).SaveChangesAsync(Ct);
        Assert.Equal("completed", dto.Status);
        Assert.Equal(Product, dto.ProductObject);
        Assert.Equal(ProductHash, dto.ProductObjectHash);
        Assert.Equal("""{"progress":100}""", dto.AssemblyState);
        Assert.Equal(Ms(Now), dto.UpdatedAt);
        Assert.Equal(session.Version, result.Version);
        Assert.Equal("status_changed", session.NewEvents[^1].Type);
    }

    [Fact]
    public async Task Stores_the_json_text_as_received()
    {
        var session = Found(SessionIn());
        const string prd = """{ "z": 1,  "a": [ 1.50 ] }""";

        await _handler.Handle(new UpdateSession(Owner, session.Id, Prd: Json(prd)), Ct);

        Assert.Equal(prd, session.Prd);
    }

    [Fact]
    public async Task Absent_fields_are_left_alone_and_present_nulls_clear()
    {
        var session = Found(SessionIn(SessionStatus.Planning));
        session.Update(new SessionUpdate(Plan: """{"v":1}""", ProductObject: Product, AssemblyState: """{"progress":5}"""), Now.AddMinutes(-1));

        var dto = (await _handler.Handle(new UpdateSession(Owner, session.Id, Plan: JsonNull, ProductObject: Optional<JsonElement?>.Of(Json("null"))), Ct)).Value;

        Assert.Null(dto.Plan);
        Assert.Null(dto.ProductObject);
        Assert.Null(dto.ProductObjectHash);
        Assert.Equal("""{"goal":"a shop"}""", dto.Prd);
        Assert.Equal("""{"progress":5}""", dto.AssemblyState);
        Assert.Equal("planning", dto.Status);
    }

    [Fact]
    public async Task Setting_the_current_status_is_a_no_op_that_still_answers()
    {
        var session = Found(SessionIn(SessionStatus.Generating));
        var versionBefore = session.Version;
        var eventsBefore = session.NewEvents.Count;

        var result = await _handler.Handle(new UpdateSession(Owner, session.Id, Status: "generating"), Ct);

        Assert.Equal("generating", result.Value.Status);
        Assert.Equal(versionBefore, result.Version);
        Assert.Equal(eventsBefore, session.NewEvents.Count);
    }

    [Fact]
    public async Task A_missing_session_is_not_found_and_nothing_is_saved()
    {
        var error = await Assert.ThrowsAsync<NotFoundException>(async () =>
            await _handler.Handle(new UpdateSession(Owner, Guid.CreateVersion7(), Status: "planning"), Ct));

        Assert.Equal("session", error.Resource);
        _ = _sessions.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Another_users_session_is_not_found_and_is_not_changed()
    {
        var session = Found(SessionIn());

        await Assert.ThrowsAsync<NotFoundException>(async () =>
            await _handler.Handle(new UpdateSession(Stranger, session.Id, Status: "planning"), Ct));

        Assert.Equal(SessionStatus.Intake, session.Status);
        _ = _sessions.Received(1).FindAsync(session.Id, Stranger.UserId, Ct);
        _ = _sessions.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task If_match_with_the_current_version_applies_the_change()
    {
        var session = Found(SessionIn());

        var dto = (await _handler.Handle(new UpdateSession(Owner, session.Id, Status: "planning", IfMatch: [7, session.Version]), Ct)).Value;

        Assert.Equal("planning", dto.Status);
        _ = _sessions.Received(1).SaveChangesAsync(Ct);
    }

    [Fact]
    public async Task If_match_with_a_stale_version_fails_the_precondition_without_a_change()
    {
        var session = Found(SessionIn(SessionStatus.Planning));
        var version = session.Version;

        var error = await Assert.ThrowsAsync<PreconditionFailedException>(async () =>
            await _handler.Handle(new UpdateSession(Owner, session.Id, Status: "generating", IfMatch: [version - 1, version + 1]), Ct));

        Assert.Equal(version, error.CurrentVersion);
        Assert.Equal(SessionStatus.Planning, session.Status);
        Assert.Equal(version, session.Version);
        _ = _sessions.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task An_empty_if_match_list_matches_nothing()
    {
        var session = Found(SessionIn());

        await Assert.ThrowsAsync<PreconditionFailedException>(async () =>
            await _handler.Handle(new UpdateSession(Owner, session.Id, Status: "planning", IfMatch: []), Ct));

        _ = _sessions.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task An_illegal_transition_propagates_without_saving()
    {
        var session = Found(SessionIn());

        var error = await Assert.ThrowsAsync<InvalidStatusTransition>(async () =>
            await _handler.Handle(new UpdateSession(Owner, session.Id, Status: "completed"), Ct));

        Assert.Equal(SessionStatus.Intake, error.From);
        _ = _sessions.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_hash_mismatch_propagates_with_the_servers_hash_without_saving()
    {
        var session = Found(SessionIn());

        var error = await Assert.ThrowsAsync<ProductObjectHashMismatch>(async () =>
            await _handler.Handle(new UpdateSession(Owner, session.Id, ProductObject: Json(Product), ProductObjectHash: new string('a', 64)), Ct));

        Assert.Equal(ProductHash, error.Actual);
        Assert.Null(session.ProductObject);
        _ = _sessions.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_terminal_session_is_read_only_and_nothing_is_saved()
    {
        var session = Found(SessionIn(SessionStatus.Cancelled));

        await Assert.ThrowsAsync<SessionIsReadOnly>(async () =>
            await _handler.Handle(new UpdateSession(Owner, session.Id, Status: "cancelled"), Ct));

        _ = _sessions.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task An_expired_session_is_refused_and_nothing_is_saved()
    {
        var session = Found(SessionIn(SessionStatus.Planning));
        var handler = new UpdateSessionHandler(_sessions, NoWebhooks(), Clock(Now + TimeToLive));

        await Assert.ThrowsAsync<SessionExpired>(async () =>
            await handler.Handle(new UpdateSession(Owner, session.Id, Plan: Json("{}")), Ct));

        _ = _sessions.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task An_invalid_productObject_propagates_without_saving()
    {
        var session = Found(SessionIn());

        await Assert.ThrowsAsync<InvalidProductObject>(async () =>
            await _handler.Handle(new UpdateSession(Owner, session.Id, ProductObject: Json("""{"n":1e400}""")), Ct));

        _ = _sessions.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public void HasAnyField_is_true_for_each_field_and_false_for_none()
    {
        var id = Guid.CreateVersion7();

        Assert.False(new UpdateSession(Owner, id).HasAnyField);
        Assert.False(new UpdateSession(Owner, id, IfMatch: [1]).HasAnyField);
        Assert.True(new UpdateSession(Owner, id, Status: Optional<string?>.Of(null)).HasAnyField);
        Assert.True(new UpdateSession(Owner, id, Prd: JsonNull).HasAnyField);
        Assert.True(new UpdateSession(Owner, id, Plan: JsonNull).HasAnyField);
        Assert.True(new UpdateSession(Owner, id, ProductObject: JsonNull).HasAnyField);
        Assert.True(new UpdateSession(Owner, id, ProductObjectHash: Optional<string?>.Of(null)).HasAnyField);
        Assert.True(new UpdateSession(Owner, id, AssemblyState: JsonNull).HasAnyField);
    }

    private Session Found(Session session)
    {
        _sessions.FindAsync(session.Id, Owner.UserId, Arg.Any<CancellationToken>()).Returns(session);
        return session;
    }
}
