using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Playwright;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Dashboard.Tests;

/// <summary>
/// The Webhooks page in a real headless Chromium against the real server process and a real receiver: an endpoint
/// created with its secret shown once, a test message sent and seen delivered, a session change's delivery appearing
/// live, the endpoint disabled and deleted. A screenshot is saved under <c>artifacts/</c> of the test output.
/// </summary>
public sealed class WebhooksPageBrowserTests
{
    private static readonly string ChromiumPath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static readonly LocatorAssertionsToHaveCountOptions Count = new() { Timeout = 20_000 };
    private static readonly LocatorAssertionsToContainTextOptions Text = new() { Timeout = 20_000 };
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 20_000 };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_user_adds_an_endpoint_sends_a_test_and_watches_its_deliveries_live()
    {
        Assert.SkipUnless(File.Exists(ChromiumPath), $"Chromium is not installed at {ChromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH): the browser test needs it.");

        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await DashboardHost.LaunchAsync(Token, "--Webhooks:AllowInsecureUrls", "true", "--Webhooks:AllowPrivateNetworks", "true");
        var key = await server.CreateKeyAsync("user_webhooks_page", Token);
        using var api = new HttpClient { BaseAddress = server.BaseAddress };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await (await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 860 } })).NewPageAsync();
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

        // The sessions page links to it, and the key pasted there is the one this page uses.
        await page.GotoAsync(server.BaseAddress.ToString());
        await page.FillAsync("#api-key", key);
        await page.ClickAsync("#key-form button[type=submit]");
        await page.ClickAsync("a[href='webhooks.html']");
        await Assertions.Expect(page.Locator("#endpoints-view")).ToBeVisibleAsync(Visible);
        await Assertions.Expect(page.Locator("#endpoints-empty")).ToBeVisibleAsync(Visible);

        // Add an endpoint: its secret is shown once.
        await page.FillAsync("#create-url", receiver.Url("/page"));
        await page.FillAsync("#create-description", "from the dashboard");
        await page.CheckAsync("#create-types input[value='session.created']");
        await page.ClickAsync("#create-form button[type=submit]");
        await Assertions.Expect(page.Locator("#secret-value")).ToContainTextAsync("whsec_", Text);
        var endpoints = page.Locator(".endpoint");
        await Assertions.Expect(endpoints).ToHaveCountAsync(1, Count);
        await Assertions.Expect(endpoints.First).ToContainTextAsync("from the dashboard · session.created", Text);
        await Assertions.Expect(endpoints.First.Locator(".badge")).ToContainTextAsync("enabled", Text);
        await page.ClickAsync("#secret-close");
        await Assertions.Expect(page.Locator("#secret-box")).ToBeHiddenAsync();

        // Send a test: the delivery log opens and shows it delivered; a session made through the API appears live.
        await endpoints.First.Locator("button", new LocatorLocatorOptions { HasText = "Send test" }).ClickAsync();
        var rows = page.Locator("#delivery-rows tr");
        await Assertions.Expect(rows).ToHaveCountAsync(1, Count);
        await Assertions.Expect(rows.First).ToContainTextAsync("webhook.test", Text);
        await Assertions.Expect(rows.First.Locator(".badge")).ToContainTextAsync("succeeded", Text);
        using (var created = await api.PostAsync("v1/products/generation/sessions", new StringContent("{}", Encoding.UTF8, "application/json"), Token))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await Assertions.Expect(rows).ToHaveCountAsync(2, Count);
        await Assertions.Expect(page.Locator("#delivery-rows")).ToContainTextAsync("session.created", Text);
        await Assertions.Expect(rows.First.Locator(".badge")).ToContainTextAsync("succeeded", Text);
        Assert.Equal(2, receiver.ReceivedAt("/page").Count);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "webhooks-deliveries.png"), FullPage = true });

        // Back to the list: disable it, then delete it.
        await page.ClickAsync("a.back");
        await endpoints.First.Locator("button", new LocatorLocatorOptions { HasText = "Disable" }).ClickAsync();
        await Assertions.Expect(endpoints.First.Locator(".badge")).ToContainTextAsync("disabled", Text);
        await endpoints.First.Locator("button", new LocatorLocatorOptions { HasText = "Delete" }).ClickAsync();
        await Assertions.Expect(endpoints).ToHaveCountAsync(0, Count);
        await Assertions.Expect(page.Locator("#endpoints-empty")).ToBeVisibleAsync(Visible);
        Assert.Equal(key, await page.EvaluateAsync<string>("() => sessionStorage.getItem('runtype.apiKey')"));
    }

    private static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        var home = Directory.CreateTempSubdirectory("runtype-chromium-").FullName;
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
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
}
