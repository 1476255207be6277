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
/// <param name="WriteTimeout">
/// The longest one write to a client may go without progress (the client not reading); then the stream ends, its
/// connection is closed and its slot and page freed.
/// </param>
/// <param name="MaxPagesInMemory">
/// Pages of events (each at most <see cref="PageChars"/> characters of event text, or one event) that the streams of
/// this process hold in memory at once, all streams together; a stream waits for room before it reads one.
/// </param>
public sealed record EventStreamSettings(
    int MaxPerUser, TimeSpan PollInterval, TimeSpan HeartbeatInterval, TimeSpan MaxDuration, TimeSpan WriteTimeout, int MaxPagesInMemory)
{
    public const int DefaultMaxPerUser = 5;
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan DefaultMaxDuration = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan DefaultWriteTimeout = TimeSpan.FromSeconds(30);
    public const int DefaultMaxPagesInMemory = 16;

    /// <summary>What a 429 tells a client to wait before it tries to open another stream.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>Events read from the database per page at most; a longer backlog is read page after page, back to back.</summary>
    public const int BatchSize = 100;

    /// <summary>
    /// How far behind the newest change already seen the change feed and the all-sessions stream look again: a
    /// transaction takes its timestamp before it commits, so a change may become visible after a later one (a
    /// slower writer, another replica's clock a little behind). Changes seen twice are recognised by their version.
    /// </summary>
    public static readonly TimeSpan ChangeLookback = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Characters of event text (payload, message, type and stage) one page holds at most, unless its first event alone
    /// is larger (an event can hold about 1 MiB): a page stops before the event that would take it over.
    /// </summary>
    public const int PageChars = 1024 * 1024;

    public static EventStreamSettings Default { get; } = new(
        DefaultMaxPerUser, DefaultPollInterval, DefaultHeartbeatInterval, DefaultMaxDuration, DefaultWriteTimeout, DefaultMaxPagesInMemory);

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

        if (WriteTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Streams:WriteTimeout must be positive, not {WriteTimeout}.");
        }

        if (MaxPagesInMemory < 1)
        {
            throw new InvalidOperationException($"Streams:MaxPagesInMemory must be 1 or more, not {MaxPagesInMemory}.");
        }

        return this;
    }
}
