namespace Runtype.Application.Sessions.StreamSessionEvents;

/// <summary>Configuration of the live event streams (<c>Streams:*</c>).</summary>
/// <param name="MaxPerUser">Streams one user may hold open at once (on every replica together when Redis is configured).</param>
/// <param name="PollInterval">
/// How often the process's change feed asks the database which sessions other processes changed (one query for all
/// streams); on PostgreSQL, only while its LISTEN connection is down.
/// </param>
/// <param name="HeartbeatInterval">A heartbeat after this long without anything sent.</param>
/// <param name="MaxDuration">
/// How long one connection may last; then the server closes it and the client reconnects with Last-Event-ID. So a
/// revoked credential stops streaming within this time, and long-lived connections spread over the replicas again.
/// </param>
public sealed record EventStreamSettings(int MaxPerUser, TimeSpan PollInterval, TimeSpan HeartbeatInterval, TimeSpan MaxDuration)
{
    public const int DefaultMaxPerUser = 5;
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan DefaultMaxDuration = TimeSpan.FromMinutes(30);

    /// <summary>What a 429 tells a client to wait before it tries to open another stream.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>Events read from the database per query; a longer backlog is read in several queries, back to back.</summary>
    public const int BatchSize = 100;

    /// <summary>
    /// How far behind the newest change already seen the change feed and the all-sessions stream look again: a
    /// transaction takes its timestamp before it commits, so a change may become visible after a later one (a
    /// slower writer, another replica's clock a little behind). Changes seen twice are recognised by their version.
    /// </summary>
    public static readonly TimeSpan ChangeLookback = TimeSpan.FromSeconds(5);

    public static EventStreamSettings Default { get; } = new(DefaultMaxPerUser, DefaultPollInterval, DefaultHeartbeatInterval, DefaultMaxDuration);

    /// <summary>Refuses settings the stream cannot run with, naming the setting.</summary>
    public EventStreamSettings Validate()
    {
        if (MaxPerUser < 1)
        {
            throw new InvalidOperationException($"Streams:MaxPerUser must be 1 or more, not {MaxPerUser}.");
        }

        if (PollInterval <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Streams:PollInterval must be positive, not {PollInterval}.");
        }

        if (HeartbeatInterval <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Streams:HeartbeatInterval must be positive, not {HeartbeatInterval}.");
        }

        if (MaxDuration <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Streams:MaxDuration must be positive, not {MaxDuration}.");
        }

        return this;
    }
}
