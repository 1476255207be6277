using System.Collections.Frozen;

namespace Runtype.Domain.Sessions;

/// <summary>
/// The status machine, written once as data (contract §3). Both the rule and the "allowed next statuses"
/// of a 409 come from <see cref="Transitions"/>.
/// </summary>
public static class SessionLifecycle
{
    public const SessionStatus InitialStatus = SessionStatus.Intake;

    /// <summary>For each status a client may move a session out of, the statuses it may move it to.</summary>
    public static readonly FrozenDictionary<SessionStatus, SessionStatus[]> Transitions =
        new Dictionary<SessionStatus, SessionStatus[]>
        {
            [SessionStatus.Intake] = [SessionStatus.Planning, SessionStatus.Generating, SessionStatus.Failed, SessionStatus.Cancelled],
            [SessionStatus.Planning] = [SessionStatus.Generating, SessionStatus.Failed, SessionStatus.Cancelled],
            [SessionStatus.Generating] = [SessionStatus.Planning, SessionStatus.Assembling, SessionStatus.Failed, SessionStatus.Cancelled],
            [SessionStatus.Assembling] = [SessionStatus.Generating, SessionStatus.Completed, SessionStatus.Failed, SessionStatus.Cancelled],
        }.ToFrozenDictionary();

    /// <summary>Terminal statuses: a session in one of them is read-only.</summary>
    public static readonly FrozenSet<SessionStatus> Terminal =
        new[] { SessionStatus.Completed, SessionStatus.Failed, SessionStatus.Cancelled, SessionStatus.Expired }.ToFrozenSet();

    /// <summary>Statuses in which a session can still change (and can therefore expire).</summary>
    public static readonly SessionStatus[] Active = [.. Transitions.Keys.Order()];

    private static readonly FrozenDictionary<SessionStatus, string> WireNames =
        Enum.GetValues<SessionStatus>().ToFrozenDictionary(s => s, s => s.ToString().ToLowerInvariant());

    private static readonly FrozenDictionary<string, SessionStatus> ByWireName =
        WireNames.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    /// <summary>Every status as written on the wire, in lifecycle order.</summary>
    public static readonly string[] AllWireNames = [.. Enum.GetValues<SessionStatus>().Select(s => WireNames[s])];

    public static bool IsTerminal(SessionStatus status) => Terminal.Contains(status);

    public static bool CanMove(SessionStatus from, SessionStatus to) =>
        Transitions.TryGetValue(from, out var next) && Array.IndexOf(next, to) >= 0;

    public static IReadOnlyList<SessionStatus> NextStatuses(SessionStatus from) =>
        Transitions.TryGetValue(from, out var next) ? next : [];

    public static string ToWire(this SessionStatus status) => WireNames[status];

    /// <summary>Parses a wire name; exact lower-case match only.</summary>
    public static bool TryParse(string? value, out SessionStatus status)
    {
        if (value is not null && ByWireName.TryGetValue(value, out status))
        {
            return true;
        }

        status = default;
        return false;
    }
}
