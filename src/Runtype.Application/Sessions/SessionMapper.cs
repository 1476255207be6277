using Riok.Mapperly.Abstractions;
using Runtype.Domain.Sessions;

namespace Runtype.Application.Sessions;

/// <summary>Compile-time mapping from the aggregate to what the API returns.</summary>
[Mapper]
public static partial class SessionMapper
{
    /// <summary>Maps a session as seen at <paramref name="now"/>: an active session past its expiry reads as expired.</summary>
    public static SessionDto ToDto(this Session session, DateTimeOffset now) =>
        Map(session) with { Status = session.StatusAt(now).ToWire() };

    /// <summary>The events are mapped as they are enumerated: the answer is written while the log is read.</summary>
    public static SessionDetailsDto ToDetailsDto(this Session session, IAsyncEnumerable<SessionEvent> events, DateTimeOffset now) =>
        new(session.ToDto(now), events.Select(e => e.ToDto()));

    [MapperIgnoreSource(nameof(SessionEvent.Sequence))]
    public static partial SessionEventDto ToDto(this SessionEvent sessionEvent);

    [MapperIgnoreSource(nameof(Session.LastEventSequence))]
    [MapperIgnoreSource(nameof(Session.NewEvents))]
    [MapperIgnoreSource(nameof(Session.Version))]
    private static partial SessionDto Map(Session session);

    private static string MapStatus(SessionStatus status) => status.ToWire();
}
