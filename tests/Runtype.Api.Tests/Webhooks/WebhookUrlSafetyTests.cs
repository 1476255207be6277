using System.Net;
using System.Text.Json;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Webhooks;

/// <summary>
/// URL rules with production's settings (contract §7): https only, and no host that is or resolves to a loopback,
/// private, link-local or unspecified address: refused at creation with a 400 naming <c>url</c>. Names are resolved by a
/// resolver the test controls, so nothing here leaves the machine.
/// </summary>
public sealed class WebhookUrlSafetyTests(StrictWebhookFixture api) : IClassFixture<StrictWebhookFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("https://127.0.0.1/hooks")]
    [InlineData("https://127.8.9.10/hooks")]
    [InlineData("https://2130706433/hooks")]
    [InlineData("https://0x7f.0.0.1/hooks")]
    [InlineData("https://localhost/hooks")]
    [InlineData("https://LOCALHOST./hooks")]
    [InlineData("https://api.localhost/hooks")]
    [InlineData("https://10.1.2.3/hooks")]
    [InlineData("https://172.16.0.1/hooks")]
    [InlineData("https://172.31.255.255/hooks")]
    [InlineData("https://192.168.1.1:8443/hooks")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://100.64.0.1/hooks")]
    [InlineData("https://0.0.0.0/hooks")]
    [InlineData("https://[::1]/hooks")]
    [InlineData("https://[::]/hooks")]
    [InlineData("https://[::ffff:127.0.0.1]/hooks")]
    [InlineData("https://[::ffff:10.0.0.1]/hooks")]
    [InlineData("https://[64:ff9b::a9fe:a9fe]/hooks")]
    [InlineData("https://[fe80::1]/hooks")]
    [InlineData("https://[fd12:3456::1]/hooks")]
    [InlineData("https://loopback.example.test/hooks")]
    [InlineData("https://internal.example.test/hooks")]
    [InlineData("https://split.example.test/hooks")]
    public async Task A_url_whose_host_is_or_resolves_to_a_private_address_is_refused_naming_url(string url)
    {
        api.Names.Map("loopback.example.test", IPAddress.Loopback);
        api.Names.Map("internal.example.test", IPAddress.Parse("10.20.30.40"));
        api.Names.Map("split.example.test", IPAddress.Parse("203.0.113.10"), IPAddress.Parse("192.168.0.7"));
        var user = await api.CreateUserAsync();

        using var response = await user.Client.PostJsonAsync(WebhookWire.Endpoints, JsonSerializer.Serialize(new { url }));

        var problem = await response.AssertValidationProblemAsync("url");
        Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
        using var list = await user.Client.GetAsync(WebhookWire.Endpoints, Token);
        Assert.Equal(0, (await list.ReadJsonAsync()).GetProperty("pagination").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Plain_http_is_refused_without_Webhooks_AllowInsecureUrls()
    {
        var user = await api.CreateUserAsync();

        using var response = await user.Client.PostJsonAsync(WebhookWire.Endpoints, """{"url":"http://hooks.example.test/x"}""");

        var problem = await response.AssertValidationProblemAsync("url");
        Assert.Contains("https", problem.GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Public_hosts_and_names_that_do_not_resolve_yet_are_accepted()
    {
        api.Names.Map("public.example.test", IPAddress.Parse("203.0.113.10"), IPAddress.Parse("2001:db8::10"));
        var user = await api.CreateUserAsync();

        // Created only: nothing here makes a delivery, so nothing is ever sent to these addresses.
        await user.Client.CreateEndpointAsync("https://public.example.test/hooks");
        await user.Client.CreateEndpointAsync("https://203.0.113.20/hooks");
        await user.Client.CreateEndpointAsync("https://[2001:db8::20]/hooks");
        await user.Client.CreateEndpointAsync("https://not-yet.example.test/hooks");
    }

    [Fact]
    public async Task Patching_the_url_to_a_private_host_is_refused_and_changes_nothing()
    {
        api.Names.Map("public.example.test", IPAddress.Parse("203.0.113.10"));
        var user = await api.CreateUserAsync();
        var endpoint = await user.Client.CreateEndpointAsync("https://public.example.test/hooks");

        using var response = await user.Client.PatchJsonAsync($"{WebhookWire.Endpoints}/{endpoint.Id()}", """{"url":"https://localhost:5080/v1/products/generation/sessions"}""");

        await response.AssertValidationProblemAsync("url");
        Assert.Equal("https://public.example.test/hooks", (await user.Client.GetEndpointAsync(endpoint.Id())).GetProperty("url").GetString());
    }
}

/// <summary>
/// DNS rebinding (contract §7, "again at delivery time"): a name that resolved to a public address when the endpoint was
/// created resolves to loopback when a message is sent. The connection is refused before a byte is sent: the receiver
/// listening there gets nothing, and the attempt counts as failed.
/// </summary>
public sealed class WebhookRebindingTests(RebindingWebhookFixture api) : IClassFixture<RebindingWebhookFixture>
{
    [Fact]
    public async Task A_name_that_resolves_to_loopback_at_delivery_time_is_not_connected_to()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        api.Names.Map("rebind.example.test", IPAddress.Parse("203.0.113.10"));
        var user = await api.CreateUserAsync();
        var endpoint = await user.Client.CreateEndpointAsync($"http://rebind.example.test:{receiver.Address.Port}/hooks");
        api.Names.Map("rebind.example.test", IPAddress.Loopback);

        using var test = await user.Client.PostJsonAsync($"{WebhookWire.Endpoints}/{endpoint.Id()}/test", null);
        Assert.Equal(HttpStatusCode.Accepted, test.StatusCode);
        var attempted = await user.Client.WaitForDeliveryAsync(endpoint.Id(), d => d.GetProperty("attempts").GetInt32() == 1
            && d.GetProperty("nextAttemptAt").ValueKind == JsonValueKind.String
            && d.GetProperty("nextAttemptAt").GetString() != d.GetProperty("lastAttemptAt").GetString()
            && DateTimeOffset.Parse(d.GetProperty("nextAttemptAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
                - DateTimeOffset.Parse(d.GetProperty("lastAttemptAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture) < TimeSpan.FromSeconds(10));

        Assert.Equal("pending", attempted.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, attempted.GetProperty("lastResponseStatus").ValueKind);
        Assert.Empty(receiver.ReceivedAt("/hooks"));
        Assert.True(api.Names.Lookups["rebind.example.test"] >= 2, "the name is resolved again when connecting");

        // The same receiver by a name that still resolves to a public address would be reached; a loopback one never is.
        Assert.True((await user.Client.GetEndpointAsync(endpoint.Id())).GetProperty("enabled").GetBoolean());
    }
}
