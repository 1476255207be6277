using System.Net;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Platform;

/// <summary>A host that allows two browser origins (<c>Cors:AllowedOrigins</c>).</summary>
public sealed class CrossOriginApiFixture : SqliteApiFixture
{
    public const string Allowed = "https://app.example.com";

    protected override IReadOnlyDictionary<string, string?> FeatureSettings { get; } = new Dictionary<string, string?>
    {
        ["Cors:AllowedOrigins:0"] = Allowed,
        ["Cors:AllowedOrigins:1"] = "http://localhost:5173",
    };
}

/// <summary>CORS: a front end on an allowed origin may make every call with the headers the API reads, and read the headers it writes.</summary>
public sealed class CrossOriginTests(CrossOriginApiFixture api) : IClassFixture<CrossOriginApiFixture>
{
    private const string RequestedHeaders = "authorization, content-type, if-match, if-none-match, idempotency-key, last-event-id";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> Calls => new()
    {
        { "GET", Wire.Sessions },
        { "POST", Wire.Sessions },
        { "GET", $"{Wire.Sessions}/01a22983-d23e-7bc2-863d-3b18d415b1ef" },
        { "PATCH", $"{Wire.Sessions}/01a22983-d23e-7bc2-863d-3b18d415b1ef" },
        { "DELETE", $"{Wire.Sessions}/01a22983-d23e-7bc2-863d-3b18d415b1ef" },
        { "POST", $"{Wire.Sessions}/01a22983-d23e-7bc2-863d-3b18d415b1ef/events" },
        { "GET", $"{Wire.Sessions}/01a22983-d23e-7bc2-863d-3b18d415b1ef/events" },
        { "GET", $"{Wire.Sessions}/01a22983-d23e-7bc2-863d-3b18d415b1ef/events/01a22983-d23e-7bc2-863d-3b18d415b1e0" },
        { "GET", $"{Wire.Sessions}/01a22983-d23e-7bc2-863d-3b18d415b1ef/events/stream" },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task A_preflight_from_an_allowed_origin_allows_the_call_with_every_header_the_API_reads(string method, string path)
    {
        using var client = api.CreateAnonymousClient();

        using var response = await client.SendAsync(Preflight(path, CrossOriginApiFixture.Allowed, method), Token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(CrossOriginApiFixture.Allowed, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains(method, Header(response, "Access-Control-Allow-Methods")!.Split(','), StringComparer.Ordinal);
        var allowed = Header(response, "Access-Control-Allow-Headers")!.Split(',', StringSplitOptions.TrimEntries);
        Assert.All(RequestedHeaders.Split(", "), h => Assert.Contains(h, allowed, StringComparer.OrdinalIgnoreCase));
        Assert.Equal("600", Header(response, "Access-Control-Max-Age"));
        Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task An_answer_to_an_allowed_origin_exposes_the_headers_the_API_writes()
    {
        var user = await api.CreateUserAsync();

        using var response = await user.Client.SendJsonAsync(HttpMethod.Post, Wire.Sessions, "{}", r =>
        {
            r.Headers.Add("Origin", CrossOriginApiFixture.Allowed);
            r.Headers.Add("Idempotency-Key", "cors-1");
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(CrossOriginApiFixture.Allowed, Header(response, "Access-Control-Allow-Origin"));
        var exposed = Header(response, "Access-Control-Expose-Headers")!.Split(',', StringSplitOptions.TrimEntries);
        Assert.All(["ETag", "Location", "Retry-After", "WWW-Authenticate", "Idempotent-Replayed"], h => Assert.Contains(h, exposed, StringComparer.OrdinalIgnoreCase));
        Assert.Contains("Origin", response.Headers.Vary);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("/01a22983-d23e-7bc2-863d-3b18d415b1ef", HttpStatusCode.NotFound)]
    public async Task Errors_carry_the_headers_too_so_the_front_end_can_read_them(string? suffix, HttpStatusCode status)
    {
        var user = await api.CreateUserAsync();
        using var client = suffix is null ? api.CreateAnonymousClient() : user.Client;
        using var request = new HttpRequestMessage(HttpMethod.Get, Wire.Sessions + suffix);
        request.Headers.Add("Origin", CrossOriginApiFixture.Allowed);

        using var response = await client.SendAsync(request, Token);

        await response.AssertProblemAsync(status);
        Assert.Equal(CrossOriginApiFixture.Allowed, Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Another_origin_is_not_allowed()
    {
        var user = await api.CreateUserAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, Wire.Sessions);
        request.Headers.Add("Origin", "https://evil.example.com");

        using var preflight = await user.Client.SendAsync(Preflight(Wire.Sessions, "https://evil.example.com", "GET"), Token);
        using var answer = await user.Client.SendAsync(request, Token);

        Assert.Null(Header(preflight, "Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode); // served (CORS is the browser's rule), but not readable by that page
        Assert.Null(Header(answer, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Without_configured_origins_no_origin_is_allowed()
    {
        await using var plain = new SqliteApiFixture();
        await plain.InitializeAsync();
        using var client = plain.CreateAnonymousClient();

        using var response = await client.SendAsync(Preflight(Wire.Sessions, CrossOriginApiFixture.Allowed, "GET"), Token);

        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
    }

    internal static HttpRequestMessage Preflight(string path, string origin, string method)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", RequestedHeaders);
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}
