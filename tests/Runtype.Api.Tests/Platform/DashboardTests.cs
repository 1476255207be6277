using System.Net;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Platform;

/// <summary>The dashboard's static files at <c>/</c>: no credentials, and no fallback that would hide the API's 404s.</summary>
public abstract class DashboardTests(ApiFixture api)
{
    /// <summary>The page and its files are not API calls: the OpenAPI document does not describe them.</summary>
    private const string StaticFiles = "the dashboard's static files";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_page_is_served_at_the_root_without_credentials_with_a_strict_content_security_policy()
    {
        using var client = api.CreateAnonymousClient(uncheckedBecause: StaticFiles);

        using var response = await client.GetAsync("/", Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>Runtype Sessions</title>", await response.ReadTextAsync(), StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Theory]
    [InlineData("/app.js", "text/javascript")]
    [InlineData("/dashboard.js", "text/javascript")]
    [InlineData("/app.css", "text/css")]
    [InlineData("/index.html", "text/html")]
    [InlineData("/webhooks.html", "text/html")]
    [InlineData("/webhooks.js", "text/javascript")]
    [InlineData("/webhooks.css", "text/css")]
    public async Task Its_files_are_served_without_credentials(string path, string mediaType)
    {
        using var client = api.CreateAnonymousClient(uncheckedBecause: StaticFiles);

        using var response = await client.GetAsync(path, Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/missing.js")]
    [InlineData("/sessions")]
    [InlineData("/v1/products/generation/sessions/0195f3c4-1111-7aaa-8bbb-000000000000/events/nope")]
    public async Task Unknown_addresses_are_still_404_problem_details_not_the_page(string path)
    {
        using var client = api.CreateAnonymousClient();

        using var response = await client.GetAsync(path, Token);

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task API_calls_still_need_a_credential()
    {
        using var client = api.CreateAnonymousClient();

        using var response = await client.GetAsync(Wire.Sessions, Token);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_shared_script_keeps_the_key_in_session_storage_and_sends_it_only_as_a_header()
    {
        using var client = api.CreateAnonymousClient(uncheckedBecause: StaticFiles);

        var shared = await client.GetStringAsync("/dashboard.js", Token);

        Assert.Contains("sessionStorage.getItem(KEY_STORAGE)", shared, StringComparison.Ordinal);
        Assert.Contains("const KEY_STORAGE = \"runtype.apiKey\"", shared, StringComparison.Ordinal);
        Assert.Contains("Authorization: \"Bearer \" + apiKey", shared, StringComparison.Ordinal);
        Assert.Contains("href: \"webhooks.html\"", shared, StringComparison.Ordinal);
        foreach (var path in (string[])["/dashboard.js", "/app.js", "/webhooks.js"])
        {
            var script = await client.GetStringAsync(path, Token);
            Assert.DoesNotContain("localStorage", script, StringComparison.Ordinal);
            Assert.DoesNotContain("innerHTML", script, StringComparison.Ordinal);
            Assert.DoesNotContain("EventSource", script.Replace("because EventSource cannot", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/", "app.js")]
    [InlineData("/webhooks.html", "webhooks.js")]
    public async Task Each_page_loads_the_shared_script_first_and_keeps_no_key_of_its_own(string page, string script)
    {
        using var client = api.CreateAnonymousClient(uncheckedBecause: StaticFiles);

        var markup = await client.GetStringAsync(page, Token);
        var own = await client.GetStringAsync("/" + script, Token);

        var shared = markup.IndexOf("<script src=\"dashboard.js\" defer></script>", StringComparison.Ordinal);
        Assert.InRange(shared, 0, markup.IndexOf($"<script src=\"{script}\" defer></script>", StringComparison.Ordinal));
        Assert.DoesNotContain("sessionStorage", own, StringComparison.Ordinal);
        Assert.Contains("headers: shell.headers(", own, StringComparison.Ordinal);
    }
}
