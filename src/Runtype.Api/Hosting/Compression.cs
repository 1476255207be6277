using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;

namespace Runtype.Api.Hosting;

/// <summary>
/// Response compression, Brotli or gzip as the client's <c>Accept-Encoding</c> asks (fastest level: the bodies are small
/// and the CPU is the server's), for JSON, problem details, the metrics scrape and the dashboard's files. Never for the
/// event stream: a compressor holds bytes back until it has enough, and a live stream must send each event at once. Over
/// HTTPS too: a credential travels in a request header, never in a cookie, so a third-party page cannot make a victim's
/// browser send authenticated requests whose compressed sizes it could measure (BREACH).
/// </summary>
public static class Compression
{
    public static readonly string[] MimeTypes =
    [
        "application/json", "application/problem+json", "text/plain", "text/html", "text/css", "text/javascript", "application/javascript",
        "image/svg+xml",
    ];

    public static IServiceCollection AddCompression(this IServiceCollection services)
    {
        services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = MimeTypes;
            options.ExcludedMimeTypes = ["text/event-stream"];
        });
        services.Configure<BrotliCompressionProviderOptions>(options => options.Level = CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(options => options.Level = CompressionLevel.Fastest);
        return services;
    }
}
