using System.Net;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Safety;

/// <summary>A fixture whose credentials may make 5 requests a minute.</summary>
public sealed class RateLimitedApiFixture : SqliteApiFixture
{
    public const int PermitsPerMinute = 5;

    protected override IReadOnlyDictionary<string, string?> FeatureSettings { get; } = new Dictionary<string, string?>
    {
        ["RateLimiting:PermitsPerMinute"] = PermitsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>Rate limiting per credential (contract §4): a flood from one key gets 429s while another key is served.</summary>
public sealed class RateLimitTests(RateLimitedApiFixture api) : IClassFixture<RateLimitedApiFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_flood_from_one_key_gets_429_with_Retry_After_while_another_key_is_served()
    {
        var flooder = await api.CreateUserAsync();
        var neighbour = await api.CreateUserAsync();

        var answers = new List<HttpStatusCode>();
        HttpResponseMessage? rejected = null;
        for (var i = 0; i < RateLimitedApiFixture.PermitsPerMinute + 3; i++)
        {
            var response = await flooder.Client.GetAsync(Wire.Sessions, Token);
            answers.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                rejected ??= response;
            }
        }

        using var served = await neighbour.Client.GetAsync(Wire.Sessions, Token);

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, RateLimitedApiFixture.PermitsPerMinute), answers.Take(RateLimitedApiFixture.PermitsPerMinute));
        Assert.All(answers.Skip(RateLimitedApiFixture.PermitsPerMinute), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        Assert.NotNull(rejected);
        await rejected.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        var retryAfter = rejected.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task Writes_count_against_the_same_credential_and_a_rejected_write_changes_nothing()
    {
        var user = await api.CreateUserAsync();
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < RateLimitedApiFixture.PermitsPerMinute + 2; i++)
        {
            using var response = await user.Client.PostJsonAsync(Wire.Sessions, "{}");
            codes.Add(response.StatusCode);
        }

        var created = codes.Count(c => c == HttpStatusCode.Created);
        Assert.Equal(RateLimitedApiFixture.PermitsPerMinute, created);
        Assert.Equal(2, codes.Count(c => c == HttpStatusCode.TooManyRequests));
        var other = await api.CreateUserAsync();
        var fresh = await api.CreateKeyAsync(user.UserId, user.OrganizationId, ["sessions:read"]);
        using var reader = api.CreateAnonymousClient();
        reader.DefaultRequestHeaders.Authorization = new("Bearer", fresh.PlainText);
        using var list = await reader.GetAsync(Wire.Sessions, Token);
        Assert.Equal(HttpStatusCode.TooManyRequests, list.StatusCode);
        using var otherList = await other.Client.GetAsync(Wire.Sessions, Token);
        Assert.Equal(HttpStatusCode.OK, otherList.StatusCode);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/openapi/v1.json")]
    public async Task Health_and_documentation_are_never_limited(string path)
    {
        using var client = api.CreateAnonymousClient();

        for (var i = 0; i < RateLimitedApiFixture.PermitsPerMinute * 3; i++)
        {
            using var response = await client.GetAsync(path, Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}

/// <summary>Rejections by the rate limit are counted by the service's meter (a fixture of its own: the count is exact).</summary>
public sealed class RateLimitMetricsTests(RateLimitedApiFixture api) : IClassFixture<RateLimitedApiFixture>
{
    [Fact]
    public async Task Each_rejected_request_is_counted()
    {
        var user = await api.CreateUserAsync();
        using var metrics = new HostMetrics(api.Services);

        for (var i = 0; i < RateLimitedApiFixture.PermitsPerMinute + 3; i++)
        {
            using var response = await user.Client.GetAsync(Wire.Sessions, TestContext.Current.CancellationToken);
        }

        Assert.Equal(3, metrics.Sum("runtype.rate_limit.rejected"));
    }
}
