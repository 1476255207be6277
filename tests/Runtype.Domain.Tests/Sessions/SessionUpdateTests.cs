using Runtype.Domain.Common;
using Runtype.Domain.Sessions;

namespace Runtype.Domain.Tests.Sessions;

/// <summary>PATCH semantics of <see cref="Session.Update"/>: absent, present, null, the productObjectHash check.</summary>
public sealed class SessionUpdateTests
{
    private const string Product = """{ "title": "Shop", "blocks": [ { "kind": "hero", "h": 1.0 } ] }""";

    /// <summary>SHA-256 of <c>{"blocks":[{"h":1,"kind":"hero"}],"title":"Shop"}</c>, computed with python3 hashlib.</summary>
    private const string ProductHash = "3cb4630c41fbcd1a886097323f88d9a0999fc7c545cd0e265957872c907bd333";

    private const string OtherProduct = """{"title":"Shop 2"}""";

    private static readonly DateTimeOffset Now = TestSessions.Later;

    [Fact]
    public void The_test_hash_is_the_hash_the_server_computes()
    {
        Assert.Equal(ProductHash, CanonicalJson.Hash(Product));
    }

    [Fact]
    public void Absent_fields_are_left_untouched()
    {
        var session = SessionWithEveryField();
        var before = SessionSnapshot.Of(session);

        session.Update(new SessionUpdate(Plan: """{"steps":2}"""), Now.AddMinutes(1));

        Assert.Equal("""{"steps":2}""", session.Plan);
        Assert.Equal(before with { Plan = """{"steps":2}""", UpdatedAt = session.UpdatedAt, Version = before.Version + 1 }, SessionSnapshot.Of(session));
    }

    [Fact]
    public void A_present_null_clears_each_field()
    {
        var session = SessionWithEveryField();

        session.Update(new SessionUpdate(Prd: null, Plan: null, ProductObject: null, AssemblyState: null), Now.AddMinutes(1));

        Assert.Null(session.Prd);
        Assert.Null(session.Plan);
        Assert.Null(session.ProductObject);
        Assert.Null(session.ProductObjectHash);
        Assert.Null(session.AssemblyState);
    }

    [Fact]
    public void Free_form_objects_are_stored_exactly_as_received()
    {
        var session = TestSessions.New();
        const string state = """{ "progress" : 40 ,"b":1, "a":2 }""";

        session.Update(new SessionUpdate(AssemblyState: state, ProductObject: Product), Now);

        Assert.Equal(state, session.AssemblyState);
        Assert.Equal(Product, session.ProductObject);
    }

    [Fact]
    public void Changing_the_productObject_recomputes_its_hash()
    {
        var session = TestSessions.New();

        session.Update(new SessionUpdate(ProductObject: Product), Now);
        Assert.Equal(ProductHash, session.ProductObjectHash);

        session.Update(new SessionUpdate(ProductObject: OtherProduct), Now.AddMinutes(1));
        Assert.Equal(CanonicalJson.Hash(OtherProduct), session.ProductObjectHash);
        Assert.NotEqual(ProductHash, session.ProductObjectHash);
    }

    [Fact]
    public void A_productObject_that_differs_only_in_key_order_and_whitespace_keeps_the_hash()
    {
        var session = TestSessions.New();
        session.Update(new SessionUpdate(ProductObject: Product), Now);

        session.Update(new SessionUpdate(ProductObject: """{"blocks":[{"kind":"hero","h":1}],"title":"Shop"}"""), Now.AddMinutes(1));

        Assert.Equal(ProductHash, session.ProductObjectHash);
        Assert.Equal("""{"blocks":[{"kind":"hero","h":1}],"title":"Shop"}""", session.ProductObject);
    }

    [Fact]
    public void A_hash_sent_with_the_productObject_is_an_integrity_check_that_passes_when_it_matches()
    {
        var session = TestSessions.New();

        session.Update(new SessionUpdate(ProductObject: Product, ProductObjectHash: ProductHash), Now);

        Assert.Equal(Product, session.ProductObject);
        Assert.Equal(ProductHash, session.ProductObjectHash);
    }

    [Fact]
    public void The_hash_check_ignores_hex_case()
    {
        var session = TestSessions.New();

        session.Update(new SessionUpdate(ProductObject: Product, ProductObjectHash: ProductHash.ToUpperInvariant()), Now);

        Assert.Equal(ProductHash, session.ProductObjectHash);
    }

    [Fact]
    public void A_wrong_integrity_hash_throws_with_the_servers_hash_and_changes_nothing()
    {
        var session = SessionWithEveryField();
        var before = SessionSnapshot.Of(session);
        var wrong = new string('0', 64);

        var error = Assert.Throws<ProductObjectHashMismatch>(() => session.Update(
            new SessionUpdate(Status: SessionStatus.Generating, Prd: """{"new":1}""", Plan: null, ProductObject: OtherProduct, ProductObjectHash: wrong, AssemblyState: """{"progress":99}"""),
            Now.AddMinutes(1)));

        Assert.Equal(wrong, error.Expected);
        Assert.Equal(CanonicalJson.Hash(OtherProduct), error.Actual);
        Assert.Equal(before, SessionSnapshot.Of(session));
    }

    [Fact]
    public void A_hash_without_a_productObject_is_a_precondition_on_the_current_one()
    {
        var session = SessionWithEveryField();

        session.Update(new SessionUpdate(ProductObjectHash: ProductHash, Status: SessionStatus.Generating), Now.AddMinutes(1));

        Assert.Equal(SessionStatus.Generating, session.Status);
        Assert.Equal(Product, session.ProductObject);
        Assert.Equal(ProductHash, session.ProductObjectHash);
    }

    [Fact]
    public void A_failed_precondition_throws_with_the_current_hash_and_changes_nothing()
    {
        var session = SessionWithEveryField();
        var before = SessionSnapshot.Of(session);
        var stale = CanonicalJson.Hash(OtherProduct);

        var error = Assert.Throws<ProductObjectHashMismatch>(() => session.Update(
            new SessionUpdate(Status: SessionStatus.Generating, Plan: """{"v":2}""", ProductObjectHash: stale), Now.AddMinutes(1)));

        Assert.Equal(stale, error.Expected);
        Assert.Equal(ProductHash, error.Actual);
        Assert.Equal(before, SessionSnapshot.Of(session));
    }

    [Fact]
    public void A_null_hash_check_passes_when_the_session_has_no_productObject()
    {
        var session = TestSessions.New();

        session.Update(new SessionUpdate(ProductObjectHash: null, Plan: """{"v":1}"""), Now);

        Assert.Equal("""{"v":1}""", session.Plan);
        Assert.Null(session.ProductObjectHash);
    }

    [Fact]
    public void A_null_hash_check_passes_when_the_update_clears_the_productObject()
    {
        var session = SessionWithEveryField();

        session.Update(new SessionUpdate(ProductObject: null, ProductObjectHash: null), Now.AddMinutes(1));

        Assert.Null(session.ProductObject);
        Assert.Null(session.ProductObjectHash);
    }

    [Fact]
    public void A_null_hash_check_fails_when_the_session_keeps_a_productObject()
    {
        var session = SessionWithEveryField();
        var before = SessionSnapshot.Of(session);

        var error = Assert.Throws<ProductObjectHashMismatch>(() => session.Update(new SessionUpdate(ProductObjectHash: null), Now.AddMinutes(1)));

        Assert.Null(error.Expected);
        Assert.Equal(ProductHash, error.Actual);
        Assert.Equal(before, SessionSnapshot.Of(session));
    }

    [Fact]
    public void A_hash_check_fails_when_the_update_clears_the_productObject_and_the_servers_hash_is_null()
    {
        var session = SessionWithEveryField();
        var before = SessionSnapshot.Of(session);

        var error = Assert.Throws<ProductObjectHashMismatch>(() => session.Update(
            new SessionUpdate(ProductObject: null, ProductObjectHash: ProductHash), Now.AddMinutes(1)));

        Assert.Equal(ProductHash, error.Expected);
        Assert.Null(error.Actual);
        Assert.Equal(before, SessionSnapshot.Of(session));
    }

    [Fact]
    public void An_invalid_productObject_is_refused_and_changes_nothing()
    {
        var session = SessionWithEveryField();
        var before = SessionSnapshot.Of(session);

        Assert.Throws<InvalidProductObject>(() => session.Update(
            new SessionUpdate(Plan: """{"v":9}""", ProductObject: """{"n":1e400}"""), Now.AddMinutes(1)));

        Assert.Equal(before, SessionSnapshot.Of(session));
    }

    [Fact]
    public void Data_is_applied_before_the_status_so_a_session_gets_its_final_product_and_completes_in_one_update()
    {
        var session = TestSessions.InStatus(SessionStatus.Assembling);
        var before = SessionSnapshot.Of(session);

        session.Update(
            new SessionUpdate(Status: SessionStatus.Completed, ProductObject: Product, ProductObjectHash: ProductHash, AssemblyState: """{"progress":100}"""),
            Now);

        Assert.Equal(SessionStatus.Completed, session.Status);
        Assert.Equal(Product, session.ProductObject);
        Assert.Equal(ProductHash, session.ProductObjectHash);
        Assert.Equal("""{"progress":100}""", session.AssemblyState);
        Assert.Equal(before.Version + 1, session.Version);
        Assert.Equal(before.NewEventCount + 1, session.NewEvents.Count);
        Assert.Throws<SessionIsReadOnly>(() => session.Update(new SessionUpdate(Plan: "{}"), Now.AddMinutes(1)));
    }

    [Fact]
    public void A_refused_transition_does_not_apply_the_data_sent_with_it()
    {
        var session = TestSessions.New();
        var before = SessionSnapshot.Of(session);

        Assert.Throws<InvalidStatusTransition>(() => session.Update(
            new SessionUpdate(Status: SessionStatus.Completed, ProductObject: Product, Plan: """{"v":1}"""), Now));

        Assert.Equal(before, SessionSnapshot.Of(session));
    }

    [Fact]
    public void One_update_that_changes_every_field_bumps_the_version_once()
    {
        var session = TestSessions.New();

        session.Update(
            new SessionUpdate(Status: SessionStatus.Planning, Prd: """{"p":2}""", Plan: """{"v":1}""", ProductObject: Product, AssemblyState: """{"progress":1}"""),
            Now);

        Assert.Equal(2, session.Version);
        Assert.Equal(TruncatedUtc(Now), session.UpdatedAt);
    }

    [Fact]
    public void Each_update_that_changes_something_bumps_the_version_by_one()
    {
        var session = TestSessions.New();

        session.Update(new SessionUpdate(Plan: """{"v":1}"""), Now);
        session.Update(new SessionUpdate(Plan: """{"v":2}"""), Now.AddMinutes(1));
        session.Update(new SessionUpdate(Status: SessionStatus.Planning), Now.AddMinutes(2));

        Assert.Equal(4, session.Version);
        Assert.Equal(TruncatedUtc(Now.AddMinutes(2)), session.UpdatedAt);
    }

    [Fact]
    public void An_update_that_sets_the_values_already_stored_changes_nothing()
    {
        var session = SessionWithEveryField();
        var before = SessionSnapshot.Of(session);

        session.Update(
            new SessionUpdate(Status: session.Status, Prd: session.Prd, Plan: session.Plan, ProductObject: session.ProductObject, ProductObjectHash: ProductHash, AssemblyState: session.AssemblyState),
            Now.AddMinutes(1));

        Assert.Equal(before, SessionSnapshot.Of(session));
    }

    [Fact]
    public void An_empty_update_changes_nothing()
    {
        var session = SessionWithEveryField();
        var before = SessionSnapshot.Of(session);

        session.Update(new SessionUpdate(), Now.AddMinutes(1));

        Assert.Equal(before, SessionSnapshot.Of(session));
    }

    [Fact]
    public void UpdatedAt_never_precedes_createdAt_when_the_clock_steps_back()
    {
        var session = TestSessions.New();

        session.Update(new SessionUpdate(Plan: "{}"), TestSessions.T0.AddMinutes(-5));

        Assert.Equal(session.CreatedAt, session.UpdatedAt);
        Assert.Equal(2, session.Version);
    }

    [Fact]
    public void Optional_tells_an_absent_value_from_a_present_null()
    {
        Optional<string?> absent = default;
        Optional<string?> presentNull = null;

        Assert.False(absent.HasValue);
        Assert.Throws<InvalidOperationException>(() => absent.Value);
        Assert.True(presentNull.HasValue);
        Assert.Null(presentNull.Value);
        Assert.Equal("fallback", absent.GetValueOrDefault("fallback"));
        Assert.Null(presentNull.GetValueOrDefault("fallback"));
    }

    /// <summary>A session in planning with every free-form field set.</summary>
    private static Session SessionWithEveryField()
    {
        var session = TestSessions.InStatus(SessionStatus.Planning);
        session.Update(
            new SessionUpdate(Plan: """{"steps":1}""", ProductObject: Product, AssemblyState: """{"progress":10}"""),
            Now);
        Assert.Equal(ProductHash, session.ProductObjectHash);
        return session;
    }

    private static DateTime TruncatedUtc(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
}
