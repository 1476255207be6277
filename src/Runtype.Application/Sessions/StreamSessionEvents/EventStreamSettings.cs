namespace Runtype.Application.Sessions.StreamSessionEvents;

/// <summary>Configuration of the live event streams (<c>Streams:*</c>).</summary>
public sealed record EventStreamSettings(int MaxPerUser, TimeSpan PollInterval, TimeSpan HeartbeatInterval)
{
    public const int DefaultMaxPerUser = 5;
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromSeconds(15);

    /// <summary>What a 429 tells a client to wait before it tries to open another stream.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>Events read from the database per query; a longer backlog is read in several queries, back to back.</summary>
    public const int BatchSize = 100;

    public static EventStreamSettings Default { get; } = new(DefaultMaxPerUser, DefaultPollInterval, DefaultHeartbeatInterval);

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

        return this;
    }
}
