using Microsoft.Net.Http.Headers;
using Runtype.Api.Http;

namespace Runtype.Api.Hosting;

/// <summary>
/// CORS, for browser front ends on other origins (they call with a JWT session token or a key in the Authorization
/// header; no cookies, so no credentials mode). Origins from <c>Cors:AllowedOrigins:0..n</c>; none by default, and then
/// the middleware is not in the pipeline at all. An allowed origin may send every call the API has, with the headers it
/// reads, and read the headers it writes; a preflight is answered before authentication and cached by the browser for
/// 10 minutes. Error answers carry the headers too (the middleware adds them as the response starts), so a front end can
/// read a 401 or a 429.
/// </summary>
public static class CrossOrigin
{
    /// <summary>The request headers the API reads.</summary>
    public static readonly string[] RequestHeaders =
    [
        HeaderNames.Authorization, HeaderNames.ContentType, HeaderNames.IfMatch, HeaderNames.IfNoneMatch, "Idempotency-Key", "Last-Event-ID",
    ];

    /// <summary>The response headers the API writes that a front end may need (beyond the ones every browser shows).</summary>
    public static readonly string[] ResponseHeaders =
    [
        HeaderNames.ETag, HeaderNames.Location, HeaderNames.RetryAfter, HeaderNames.WWWAuthenticate, IdempotentReplayHeader.HeaderName,
    ];

    public static readonly TimeSpan PreflightMaxAge = TimeSpan.FromMinutes(10);

    private static readonly string[] Methods = [HttpMethods.Get, HttpMethods.Post, HttpMethods.Patch, HttpMethods.Delete];

    public static IServiceCollection AddCrossOrigin(this IServiceCollection services, IConfiguration configuration)
    {
        var origins = configuration.GetSection("Cors:AllowedOrigins").Get<string[]>() ?? [];
        services.AddCors(options => options.AddDefaultPolicy(policy => policy
            .WithOrigins(origins)
            .WithMethods(Methods)
            .WithHeaders(RequestHeaders)
            .WithExposedHeaders(ResponseHeaders)
            .SetPreflightMaxAge(PreflightMaxAge)));
        services.AddSingleton(new AllowedOrigins(origins));
        return services;
    }

    public static void UseCrossOrigin(this WebApplication app)
    {
        if (app.Services.GetService<AllowedOrigins>() is { Origins.Length: > 0 })
        {
            app.UseCors();
        }
    }

    private sealed record AllowedOrigins(string[] Origins);
}
