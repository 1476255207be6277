using Runtype.Domain.Sessions;
using static Runtype.Domain.Sessions.SessionStatus;

namespace Runtype.Domain.Tests.Sessions;

/// <summary>Every (from, to) pair over the eight statuses, checked against the table of contract §3.</summary>
public sealed class SessionStatusMachineTests
{
    /// <summary>Contract §3, copied from the spec by hand (not read from <see cref="SessionLifecycle"/>).</summary>
    private static readonly Dictionary<SessionStatus, SessionStatus[]> ContractTable = new()
    {
        [Intake] = [Planning, Generating, Failed, Cancelled],
        [Planning] = [Generating, Failed, Cancelled],
        [Generating] = [Planning, Assembling, Failed, Cancelled],
        [Assembling] = [Generating, Completed, Failed, Cancelled],
    };

    private static readonly SessionStatus[] AllStatuses = [Intake, Planning, Generating, Assembling, Completed, Failed, Cancelled, Expired];

    private static readonly SessionStatus[] TerminalStatuses = [Completed, Failed, Cancelled, Expired];

    private static readonly SessionStatus[] ActiveStatuses = [Intake, Planning, Generating, Assembling];

    public static TheoryData<SessionStatus, SessionStatus> AllowedPairs() =>
        Pairs((from, to) => ActiveStatuses.Contains(from) && ContractTable[from].Contains(to));

    public static TheoryData<SessionStatus, SessionStatus> ForbiddenPairs() =>
        Pairs((from, to) => ActiveStatuses.Contains(from) && from != to && !ContractTable[from].Contains(to));

    public static TheoryData<SessionStatus, SessionStatus> SameStatusPairs() =>
        Pairs((from, to) => ActiveStatuses.Contains(from) && from == to);

    public static TheoryData<SessionStatus, SessionStatus> FromTerminalPairs() =>
        Pairs((from, _) => TerminalStatuses.Contains(from));

    [Fact]
    public void The_four_groups_cover_all_64_pairs_exactly_once()
    {
        var groups = new[] { AllowedPairs(), ForbiddenPairs(), SameStatusPairs(), FromTerminalPairs() };
        var all = groups.SelectMany(g => g.Select(row => row.Data)).ToList();

        Assert.Equal(64, all.Count);
        Assert.Equal(64, all.Distinct().Count());
        Assert.Equal([15, 13, 4, 32], groups.Select(g => g.Count));
    }

    [Theory]
    [MemberData(nameof(AllowedPairs))]
    public void An_allowed_transition_changes_the_status_and_appends_one_status_changed_event(SessionStatus from, SessionStatus to)
    {
        var session = TestSessions.InStatus(from);
        var before = SessionSnapshot.Of(session);

        session.Update(new SessionUpdate(Status: to), TestSessions.Later);

        Assert.Equal(to, session.Status);
        Assert.Equal(before.Version + 1, session.Version);
        Assert.Equal(before.NewEventCount + 1, session.NewEvents.Count);
        var appended = session.NewEvents[^1];
        Assert.Equal("status_changed", appended.Type);
        Assert.Equal(to.ToString().ToLowerInvariant(), appended.Stage);
        Assert.Equal($$"""{"from":"{{from.ToString().ToLowerInvariant()}}","to":"{{to.ToString().ToLowerInvariant()}}"}""", appended.Payload);
        Assert.Equal(before.LastEventSequence + 1, appended.Sequence);
        Assert.Equal(session.Id, appended.SessionId);
        Assert.Equal(session.UpdatedAt, appended.CreatedAt);
    }

    [Theory]
    [MemberData(nameof(ForbiddenPairs))]
    public void A_forbidden_transition_throws_with_the_allowed_statuses_of_the_table_and_changes_nothing(SessionStatus from, SessionStatus to)
    {
        var session = TestSessions.InStatus(from);
        var before = SessionSnapshot.Of(session);

        var error = Assert.Throws<InvalidStatusTransition>(() => session.Update(new SessionUpdate(Status: to), TestSessions.Later));

        Assert.Equal(from, error.From);
        Assert.Equal(to, error.To);
        Assert.Equal(ContractTable[from].Order(), error.Allowed.Order());
        Assert.Equal(before, SessionSnapshot.Of(session));
    }

    [Theory]
    [MemberData(nameof(SameStatusPairs))]
    public void Setting_the_current_status_of_an_active_session_is_a_no_op(SessionStatus from, SessionStatus to)
    {
        var session = TestSessions.InStatus(from);
        var before = SessionSnapshot.Of(session);

        session.Update(new SessionUpdate(Status: to), TestSessions.Later);

        Assert.Equal(before, SessionSnapshot.Of(session));
    }

    [Theory]
    [MemberData(nameof(FromTerminalPairs))]
    public void Every_status_update_of_a_terminal_session_is_refused_as_read_only(SessionStatus from, SessionStatus to)
    {
        var session = TestSessions.InStatus(from);
        var before = SessionSnapshot.Of(session);

        var now = from == Expired ? TestSessions.T0 + TestSessions.TimeToLive + TimeSpan.FromHours(1) : TestSessions.Later;

        if (from == Expired)
        {
            // Expired answers as expired, persisted or not.
            Assert.Throws<SessionExpired>(() => session.Update(new SessionUpdate(Status: to), now));
        }
        else
        {
            Assert.Equal(from, Assert.Throws<SessionIsReadOnly>(() => session.Update(new SessionUpdate(Status: to), now)).Status);
        }

        Assert.Equal(before, SessionSnapshot.Of(session));
    }

    [Theory]
    [InlineData(Intake)]
    [InlineData(Planning)]
    [InlineData(Generating)]
    [InlineData(Assembling)]
    public void Expired_can_never_be_set_by_an_update(SessionStatus from)
    {
        var session = TestSessions.InStatus(from);

        var error = Assert.Throws<InvalidStatusTransition>(() => session.Update(new SessionUpdate(Status: Expired), TestSessions.Later));

        Assert.DoesNotContain(Expired, error.Allowed);
        Assert.Equal(from, session.Status);
    }

    [Fact]
    public void A_session_starts_in_intake()
    {
        Assert.Equal(Intake, TestSessions.New().Status);
    }

    [Theory]
    [InlineData(Intake, false)]
    [InlineData(Planning, false)]
    [InlineData(Generating, false)]
    [InlineData(Assembling, false)]
    [InlineData(Completed, true)]
    [InlineData(Failed, true)]
    [InlineData(Cancelled, true)]
    [InlineData(Expired, true)]
    public void Terminal_statuses_are_completed_failed_cancelled_and_expired(SessionStatus status, bool terminal)
    {
        Assert.Equal(terminal, SessionLifecycle.IsTerminal(status));
    }

    [Fact]
    public void Wire_names_are_the_lower_case_names_in_lifecycle_order()
    {
        Assert.Equal(
            ["intake", "planning", "generating", "assembling", "completed", "failed", "cancelled", "expired"],
            SessionLifecycle.AllWireNames);
        Assert.All(AllStatuses, s => Assert.True(SessionLifecycle.TryParse(s.ToWire(), out var parsed) && parsed == s));
    }

    [Theory]
    [InlineData("Completed")]
    [InlineData("COMPLETED")]
    [InlineData(" completed")]
    [InlineData("done")]
    [InlineData("")]
    [InlineData(null)]
    public void Only_exact_lower_case_wire_names_parse(string? value)
    {
        Assert.False(SessionLifecycle.TryParse(value, out _));
    }

    private static TheoryData<SessionStatus, SessionStatus> Pairs(Func<SessionStatus, SessionStatus, bool> include)
    {
        var data = new TheoryData<SessionStatus, SessionStatus>();
        foreach (var from in AllStatuses)
        {
            foreach (var to in AllStatuses.Where(to => include(from, to)))
            {
                data.Add(from, to);
            }
        }

        return data;
    }
}
