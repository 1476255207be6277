using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace Runtype.Dashboard.Tests;

/// <summary>
/// The dashboard in a real headless Chromium against the real server process: a key pasted in, the sessions made
/// through the API listed, a progress bar and the event log following API calls live, the stream surviving a
/// server restart, a bad key shown plainly. Screenshots are saved under <c>artifacts/</c> of the test output.
/// </summary>
public sealed class DashboardBrowserTests
{
    /// <summary>Debian's Chromium; <c>CHROMIUM_PATH</c> names another build.</summary>
    private static readonly string ChromiumPath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private const string Sessions = "v1/products/generation/sessions";

    /// <summary>A bound on each wait in the page (not a speed check).</summary>
    private static readonly LocatorAssertionsToHaveAttributeOptions Attribute = new() { Timeout = 20_000 };
    private static readonly LocatorAssertionsToHaveCountOptions Count = new() { Timeout = 20_000 };
    private static readonly LocatorAssertionsToContainTextOptions Text = new() { Timeout = 20_000 };
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 20_000 };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_user_pastes_a_key_sees_their_sessions_and_watches_one_progress_live()
    {
        Assert.SkipUnless(File.Exists(ChromiumPath), $"Chromium is not installed at {ChromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH): the browser test needs it.");

        await using var server = await DashboardHost.LaunchAsync(Token);
        var key = await server.CreateKeyAsync("user_dashboard", Token);
        using var api = new HttpClient { BaseAddress = server.BaseAddress };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var support = await CreateAsync(api, """{"catalogVersion":"1.0","schemaVersion":"1.0","prd":{"title":"AI Customer Support","description":"An AI-powered customer support product"}}""");
        await PatchAsync(api, support, """{"status":"generating","plan":{"capabilities":["chat","search"],"surfaces":["widget"]},"assemblyState":{"step":"generating","progress":25}}""");
        await AppendAsync(api, support, """{"type":"progress","stage":"generation","message":"Generating flow capabilities...","payload":{"step":2,"totalSteps":5}}""");
        var search = await CreateAsync(api, """{"prd":{"title":"Search Assistant"}}""");
        var onboarding = await CreateAsync(api, """{"prd":{"title":"Onboarding Bot"}}""");
        await PatchAsync(api, onboarding, """{"status":"cancelled"}""");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 860 } });
        var page = await context.NewPageAsync();
        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;
        foreach (var earlier in Directory.GetFiles(artifacts, "dashboard-*.png"))
        {
            File.Delete(earlier); // a failed run's screenshot (dashboard-failure.png) must not count as one of this run's
        }

        try
        {
            // The page needs no credentials; the key is pasted in, and the list shows the sessions, newest first.
            await page.GotoAsync(server.BaseAddress.ToString());
            await Assertions.Expect(page.Locator("#welcome")).ToBeVisibleAsync(Visible);
            Assert.Equal("favicon.svg", await page.Locator("link[rel=icon]").GetAttributeAsync("href"));
            using (var icon = await api.GetAsync("favicon.svg", Token))
            {
                Assert.Equal("image/svg+xml", icon.Content.Headers.ContentType?.MediaType);
            }

            // The pager does nothing before a page is there.
            await Assertions.Expect(page.Locator("#prev-page")).ToBeDisabledAsync();
            await Assertions.Expect(page.Locator("#next-page")).ToBeDisabledAsync();
            await page.FillAsync("#api-key", key);
            await page.ClickAsync("#key-form button[type=submit]");
            var rows = page.Locator(".session-row");
            await Assertions.Expect(rows).ToHaveCountAsync(3, Count);
            Assert.Equal([onboarding, search, support], await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.id)"));
            var supportRow = page.Locator($".session-row[data-id='{support}']");
            await Assertions.Expect(supportRow.Locator(".badge")).ToContainTextAsync("generating", Text);
            await Assertions.Expect(supportRow.Locator("[role=progressbar]")).ToHaveAttributeAsync("aria-valuenow", "25", Attribute);
            Assert.Equal(key, await page.EvaluateAsync<string>("() => sessionStorage.getItem('runtype.apiKey')"));
            Assert.DoesNotContain(key, page.Url, StringComparison.Ordinal);

            // The status filter.
            await page.SelectOptionAsync("#status-filter", "cancelled");
            await Assertions.Expect(rows).ToHaveCountAsync(1, Count);
            await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-id", onboarding, Attribute);
            await page.SelectOptionAsync("#status-filter", string.Empty);
            await Assertions.Expect(rows).ToHaveCountAsync(3, Count);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "dashboard-list.png"), FullPage = true });

            // One session: its PRD, plan and events, then its progress and new events as the API changes it.
            await supportRow.Locator("a").ClickAsync();
            await Assertions.Expect(page.Locator("#d-title")).ToContainTextAsync("AI Customer Support", Text);
            await Assertions.Expect(page.Locator("#d-prd")).ToContainTextAsync("\"description\": \"An AI-powered customer support product\"", Text);
            await Assertions.Expect(page.Locator("#d-plan")).ToContainTextAsync("\"surfaces\"", Text);
            await Assertions.Expect(page.Locator("#d-progress")).ToHaveAttributeAsync("aria-valuenow", "25", Attribute);
            await Assertions.Expect(page.Locator("#d-events .event")).ToHaveCountAsync(2, Count);
            await Assertions.Expect(page.Locator("#stream-state")).ToContainTextAsync("live", Text);

            var patched = await PatchAsync(api, support, """{"status":"assembling","assemblyState":{"step":"assembling","progress":75},"productObject":{"type":"text-generation","config":{"maxTokens":512}}}""");
            await Assertions.Expect(page.Locator("#d-progress")).ToHaveAttributeAsync("aria-valuenow", "75", Attribute);
            await Assertions.Expect(page.Locator("#d-status")).ToContainTextAsync("assembling", Text);
            await Assertions.Expect(page.Locator("#d-hash")).ToContainTextAsync(patched.GetProperty("productObjectHash").GetString()!, Text);
            await Assertions.Expect(page.Locator("#d-product")).ToContainTextAsync("\"maxTokens\": 512", Text);

            await AppendAsync(api, support, """{"type":"progress","stage":"assembly","message":"Assembling the widget surface","payload":{"step":4,"totalSteps":5}}""");
            await Assertions.Expect(page.Locator("#d-events .event").First).ToContainTextAsync("Assembling the widget surface", Text); // newest first
            await Assertions.Expect(page.Locator("#d-events .event")).ToHaveCountAsync(4, Count);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "dashboard-session.png"), FullPage = true });

            // The server goes away and comes back: the page says so, and the stream resumes where it stopped.
            await server.StopAsync();
            await Assertions.Expect(page.Locator("#stream-state")).ToContainTextAsync("reconnecting", Text);
            await server.StartAsync(Token);
            await AppendAsync(api, support, """{"type":"progress","stage":"assembly","message":"Back after a restart","payload":{}}""");
            await Assertions.Expect(page.Locator("#d-events .event").First).ToContainTextAsync("Back after a restart", Text);
            await Assertions.Expect(page.Locator("#d-events .event")).ToHaveCountAsync(5, Count);
            await Assertions.Expect(page.Locator("#stream-state")).ToContainTextAsync("live", Text);

            // The end of the session ends the stream.
            await PatchAsync(api, support, """{"status":"completed","assemblyState":{"step":"done","progress":100}}""");
            await Assertions.Expect(page.Locator("#stream-state")).ToContainTextAsync("finished", Text);
            await Assertions.Expect(page.Locator("#d-progress")).ToHaveAttributeAsync("aria-valuenow", "100", Attribute);

            // The next session shown never shows the previous one's data: not another session's, not a missing one's.
            await page.EvaluateAsync("hash => location.hash = hash", $"#/sessions/{search}");
            await Assertions.Expect(page.Locator("#d-title")).ToContainTextAsync("Search Assistant", Text);
            await Assertions.Expect(page.Locator("#d-status")).ToContainTextAsync("intake", Text);
            Assert.Equal("null", await page.Locator("#d-plan").TextContentAsync());
            Assert.Equal("null", await page.Locator("#d-product").TextContentAsync());
            await Assertions.Expect(page.Locator("#d-events .event")).ToHaveCountAsync(0, Count);
            await page.EvaluateAsync("hash => location.hash = hash", $"#/sessions/{support}");
            await Assertions.Expect(page.Locator("#d-prd")).ToContainTextAsync("AI-powered customer support", Text);
            await page.EvaluateAsync("hash => location.hash = hash", $"#/sessions/01a22983-d23e-7bc2-863d-3b18d415b1ef");
            await Assertions.Expect(page.Locator("#d-title")).ToContainTextAsync("Session not found", Text);
            await Assertions.Expect(page.Locator("#banner")).ToContainTextAsync("404", Text);
            foreach (var field in (string[])["#d-prd", "#d-plan", "#d-product", "#d-hash", "#d-id", "#d-status", "#d-assembly"])
            {
                Assert.Equal(string.Empty, await page.Locator(field).TextContentAsync());
            }

            await Assertions.Expect(page.Locator("#d-events .event")).ToHaveCountAsync(0, Count);
            await page.ClickAsync("#banner-close");

            // The list follows what happens while it is open, moved by the stream of all sessions (it does not poll).
            await page.ClickAsync("a.back");
            await Assertions.Expect(rows).ToHaveCountAsync(3, Count);
            await Assertions.Expect(page.Locator("#next-page")).ToBeDisabledAsync();
            var listReads = 0;
            page.Request += (_, request) =>
            {
                if (request.Method == "GET" && new Uri(request.Url).AbsolutePath == "/v1/products/generation/sessions")
                {
                    Interlocked.Increment(ref listReads);
                }
            };
            await Task.Delay(TimeSpan.FromSeconds(3), Token); // the stream's opening read settles; then, with nothing changing, nothing is read
            Volatile.Write(ref listReads, 0);
            await Task.Delay(TimeSpan.FromSeconds(3), Token);
            Assert.Equal(0, Volatile.Read(ref listReads));
            var latecomer = await CreateAsync(api, """{"prd":{"title":"Latecomer"}}""");
            await Assertions.Expect(rows).ToHaveCountAsync(4, new LocatorAssertionsToHaveCountOptions { Timeout = 2500 });
            await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-id", latecomer, Attribute);
            Assert.InRange(Volatile.Read(ref listReads), 1, 2); // the change was read because the stream told of it

            // On a phone.
            await page.EvaluateAsync("hash => location.hash = hash", $"#/sessions/{support}");
            await Assertions.Expect(page.Locator("#stream-state")).ToContainTextAsync("finished", Text);
            await page.SetViewportSizeAsync(390, 844);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "dashboard-session-phone.png"), FullPage = true });
            await page.ClickAsync("a.back");
            await Assertions.Expect(rows).ToHaveCountAsync(4, Count);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "dashboard-list-phone.png"), FullPage = true });
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "The list is wider than a phone screen.");

            // A bad key is said plainly.
            await page.ClickAsync("#forget-key");
            await page.FillAsync("#api-key", "rt_0123456789abcdef_notTheRightSecretAtAllxxxxxxxxxxxxxxxxxxxxx");
            await page.ClickAsync("#key-form button[type=submit]");
            await Assertions.Expect(page.Locator("#banner")).ToContainTextAsync("refused", Text);

            // ... and the refused key is forgotten at once: the page asks for another one.
            await Assertions.Expect(page.Locator("#api-key")).ToBeVisibleAsync(Visible);
            Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('runtype.apiKey')"));
            await Assertions.Expect(page.Locator("#list-view")).ToBeHiddenAsync();

            TestContext.Current.TestOutputHelper?.WriteLine($"Screenshots: {artifacts}");
        }
        catch (Exception) when (Keep(page, artifacts, server))
        {
            throw;
        }
        finally
        {
            await context.CloseAsync();
        }

        Assert.Equal(4, Directory.GetFiles(artifacts, "dashboard-*.png").Length);
    }

    /// <summary>Saves what the page showed when a step failed, next to the other screenshots; never handles the failure.</summary>
    private static bool Keep(IPage page, string artifacts, DashboardHost server)
    {
        var path = Path.Combine(artifacts, "dashboard-failure.png");
        page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true }).GetAwaiter().GetResult();
        TestContext.Current.TestOutputHelper?.WriteLine($"Screenshot of the failure: {path}\nServer output:\n{server.Log}");
        return false;
    }

    private static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        // Chromium keeps its profile, caches and crash reports under HOME and XDG_*: a folder of this test's own.
        var home = Directory.CreateTempSubdirectory("runtype-chromium-").FullName;
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run",
            ],
            Env = new Dictionary<string, string>
            {
                ["HOME"] = home,
                ["XDG_CONFIG_HOME"] = Path.Combine(home, "config"),
                ["XDG_CACHE_HOME"] = Path.Combine(home, "cache"),
                ["XDG_DATA_HOME"] = Path.Combine(home, "data"),
                ["XDG_RUNTIME_DIR"] = Path.Combine(home, "runtime"),
            },
        });
    }

    private static async Task<string> CreateAsync(HttpClient api, string json) =>
        (await SendAsync(api, HttpMethod.Post, Sessions, json, HttpStatusCode.Created)).GetProperty("id").GetString()!;

    private static Task<JsonElement> PatchAsync(HttpClient api, string id, string json) =>
        SendAsync(api, HttpMethod.Patch, $"{Sessions}/{id}", json, HttpStatusCode.OK);

    private static Task<JsonElement> AppendAsync(HttpClient api, string id, string json) =>
        SendAsync(api, HttpMethod.Post, $"{Sessions}/{id}/events", json, HttpStatusCode.Created);

    private static async Task<JsonElement> SendAsync(HttpClient api, HttpMethod method, string path, string json, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await api.SendAsync(request, Token);
        var body = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.StatusCode == expected, $"{method} {path} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
