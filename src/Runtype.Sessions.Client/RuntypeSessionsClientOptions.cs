namespace Runtype.Sessions.Client;

/// <summary>Where the API is, how to authenticate, and how patient to be.</summary>
public sealed class RuntypeSessionsClientOptions
{
    /// <summary>The API's address, e.g. <c>https://api.example.com</c> (required).</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>The API key (<c>rt_…</c>) or session token sent as <c>Authorization: Bearer</c> (required).</summary>
    public string? ApiKey { get; set; }

    /// <summary>The longest one attempt of a call may take (the event stream: until its first bytes). Default 30 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many times a call is retried after a transient failure: 429 and 503 (the server changed nothing; its
    /// <c>Retry-After</c> is honoured), and, for calls that are safe to repeat (reads, and the POSTs, which carry an
    /// <c>Idempotency-Key</c>), a connection failure or a timeout. Default 3.
    /// </summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first wait before a retry (it grows exponentially, with jitter). Default 0.5 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The first wait before the event stream reconnects after a dropped connection (it doubles up to <see cref="MaxStreamReconnectDelay"/>). Default 1 s.</summary>
    public TimeSpan StreamReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two reconnects of the event stream. Default 30 s.</summary>
    public TimeSpan MaxStreamReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many reconnects in a row, with no event between them, the event stream makes before it gives up. Default 10.</summary>
    public int MaxStreamReconnects { get; set; } = 10;
}
