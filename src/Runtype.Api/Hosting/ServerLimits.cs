using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Runtype.Api.Hosting;

/// <summary>
/// Kestrel's limits, chosen so that slow or stuck clients cannot hold the server's connections, threads or memory
/// (docs/reliability.md tests each). The timeouts and sizes can still be changed with the standard
/// <c>Kestrel:Limits:*</c> settings, which are applied after these (the data rates are set here only).
/// </summary>
public static class ServerLimits
{
    /// <summary>A client gets this long to send its whole request line and headers (Kestrel's default is 30 s).</summary>
    /// <remarks>Real clients send them in one packet; a slowloris that trickles a header byte at a time is cut off here.</remarks>
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(10);

    /// <summary>An idle keep-alive connection is closed after this long (Kestrel's default, stated on purpose).</summary>
    /// <remarks>It must stay longer than the idle timeout of the balancer in front (60 s on common ones), or the
    /// balancer may send a request on a connection the server is closing.</remarks>
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(130);

    /// <summary>A request body must arrive at 1 KiB/s at least, after a 5 s grace (Kestrel's default is 240 B/s).</summary>
    /// <remarks>A body is at most 1 MiB, so a client at the minimum rate is done in 17 minutes; a body trickled slower
    /// is aborted with 408 instead of holding its connection for hours.</remarks>
    public static readonly MinDataRate MinRequestBodyDataRate = new(bytesPerSecond: 1024, gracePeriod: TimeSpan.FromSeconds(5));

    /// <summary>A client must read a response at 240 B/s at least, after a 5 s grace (Kestrel's default, stated on purpose).</summary>
    /// <remarks>It counts only while the server has data waiting: an idle event stream is not affected, a client that
    /// stops reading one is dropped and frees its slot.</remarks>
    public static readonly MinDataRate MinResponseDataRate = new(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));

    /// <summary>The request line and headers together may not exceed 32 KiB (Kestrel's default; 431 beyond it).</summary>
    public const int MaxRequestHeadersTotalSize = 32 * 1024;

    /// <summary>No connection is ever upgraded: the API has no WebSocket endpoint (a future one must raise this).</summary>
    public const long MaxConcurrentUpgradedConnections = 0;

    /// <summary>Applies the limits, then whatever <c>Kestrel:Limits</c> in the configuration sets.</summary>
    /// <remarks>
    /// <see cref="KestrelServerLimits.MaxConcurrentConnections"/> stays unlimited on purpose: a per-process cap turns
    /// a flood of slow connections into refused connections for every client, while the timeouts above already bound
    /// how long any one connection can be held. Cap connections at the balancer, which sees every replica.
    /// </remarks>
    public static void Apply(KestrelServerLimits limits, IConfiguration configuration)
    {
        limits.MaxRequestBodySize = Http.RequestBodyLimit.MaxBytes;
        limits.RequestHeadersTimeout = RequestHeadersTimeout;
        limits.KeepAliveTimeout = KeepAliveTimeout;
        limits.MinRequestBodyDataRate = MinRequestBodyDataRate;
        limits.MinResponseDataRate = MinResponseDataRate;
        limits.MaxRequestHeadersTotalSize = MaxRequestHeadersTotalSize;
        limits.MaxConcurrentUpgradedConnections = MaxConcurrentUpgradedConnections;
        configuration.GetSection("Kestrel:Limits").Bind(limits);
    }
}
