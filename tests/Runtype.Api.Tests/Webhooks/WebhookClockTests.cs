using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Infrastructure.Background;
using StandardWebhooks;

namespace Runtype.Api.Tests.Webhooks;

/// <summary>
/// What happens to webhooks as the service's clock moves by hours and days: expiry by the sweeper, a rotated secret's
/// 24 hours, an endpoint failing for <c>Webhooks:DisableAfter</c>, the retention purge. The clock is moved far here, so
/// signatures are checked with the StandardWebhooks package's <c>Sign</c> (its <c>Verify</c> also checks the timestamp
/// against the real time).
/// </summary>
public abstract class WebhookClockTests(ApiFixture api)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deleting_and_expiring_sessions_send_their_messages()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var user = await api.CreateUserAsync();
        var endpoint = await user.Client.CreateEndpointAsync(receiver.Url("/end"), "session.deleted", "session.status_changed", "session.expired");

        var deleted = (await user.Client.CreateSessionAsync()).Id();
        using (var delete = await user.Client.DeleteAsync($"{Wire.Sessions}/{deleted}", Token))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        var gone = Assert.Single(await receiver.WaitForAsync("/end", 1));
        Assert.Equal("session.deleted", gone.Type);
        Assert.Equal($$"""{"id":"{{deleted}}","userId":"{{user.UserId}}"}""", Data(gone).GetRawText());

        // Expired by the sweeper: session.status_changed (to expired) and session.expired, as the session then reads.
        var expiring = await user.Client.CreateSessionInStatusAsync("planning");
        api.Clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        await SweepAsync();
        var received = await receiver.WaitForAsync("/end", 4);

        var expiry = received.Where(r => r.Type == "session.expired" || (r.Type == "session.status_changed" && Data(r).GetProperty("to").GetString() == "expired"))
            .OrderBy(r => r.Type == "session.expired").ToArray();
        Assert.All(expiry, r => Assert.Equal(expiring, Data(r).GetProperty("session").Id()));
        Assert.Equal(["session.status_changed", "session.expired"], expiry.Select(r => r.Type));
        Assert.Equal(("planning", "expired"), (Data(expiry[0]).GetProperty("from").GetString(), Data(expiry[0]).GetProperty("to").GetString()));
        var session = await user.Client.GetSessionAsync(expiring);
        Assert.All(expiry, r => Assert.Equal("expired", Data(r).GetProperty("session").GetProperty("status").GetString()));
        Assert.Equal(session.GetProperty("updatedAt").GetString(), Data(expiry[1]).GetProperty("session").GetProperty("updatedAt").GetString());
        Assert.False(Data(expiry[1]).GetProperty("session").TryGetProperty("events", out _));
        var log = await user.Client.DeliveriesAsync(endpoint.Id());
        Assert.Contains(log, d => d.GetProperty("messageId").GetString() == expiry[0].Id);
        Assert.Contains(log, d => d.GetProperty("messageId").GetString() == expiry[1].Id);
    }

    [Fact]
    public async Task A_rotated_secret_signs_beside_the_new_one_for_24_hours_then_only_the_new_one_signs()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var user = await api.CreateUserAsync();
        var endpoint = await user.Client.CreateEndpointAsync(receiver.Url("/rotating"), "session.created");
        var old = endpoint.GetProperty("secret").GetString()!;

        using var rotate = await user.Client.PostJsonAsync($"{WebhookWire.Endpoints}/{endpoint.Id()}/rotate-secret", null);
        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        var rotated = await rotate.ReadJsonAsync();
        Assert.Equal(["secret"], rotated.Keys());
        var current = rotated.GetProperty("secret").GetString()!;
        Assert.NotEqual(old, current);
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", current);

        await SendTestAsync(user, endpoint.Id());
        var during = (await receiver.WaitForAsync("/rotating", 1))[0];
        api.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        await SendTestAsync(user, endpoint.Id());
        var after = (await receiver.WaitForAsync("/rotating", 2))[1];

        // Within 24 hours: the new secret's signature first, then the previous one's (a second v1 signature).
        Assert.Equal([Sign(current, during), Sign(old, during)], during.Signature!.Split(' '));
        Assert.Equal([Sign(current, after)], after.Signature!.Split(' '));
        Assert.Equal("webhook.test", after.Type);
        Assert.Equal($$"""{"endpointId":"{{endpoint.Id()}}"}""", after.Json.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task An_endpoint_that_has_failed_every_attempt_for_five_days_is_disabled()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer("/broken", 500);
        var user = await api.CreateUserAsync();
        var broken = await user.Client.CreateEndpointAsync(receiver.Url("/broken"), "webhook.test");
        var healthy = await user.Client.CreateEndpointAsync(receiver.Url("/healthy"), "webhook.test");

        await SendTestAsync(user, broken.Id());
        await user.Client.WaitForDeliveryAsync(broken.Id(), d => d.GetProperty("lastResponseStatus").ValueKind == JsonValueKind.Number);
        api.Clock.Advance(TimeSpan.FromDays(4));
        await SendTestAsync(user, broken.Id());
        await SendTestAsync(user, healthy.Id());
        await receiver.WaitForAsync("/broken", 2);
        await receiver.WaitForAsync("/healthy", 1);
        await user.Client.WaitForDeliveryAsync(broken.Id(), d => d.GetProperty("attempts").GetInt32() == 1 && d.GetProperty("lastResponseStatus").ValueKind == JsonValueKind.Number);
        Assert.True((await user.Client.GetEndpointAsync(broken.Id())).GetProperty("enabled").GetBoolean());

        // Five days after its first failure, still nothing but failures: disabled, with the reason.
        api.Clock.Advance(TimeSpan.FromDays(1));
        await SendTestAsync(user, broken.Id());
        await receiver.WaitForAsync("/broken", 3);
        var disabled = await WaitForEndpointAsync(user, broken.Id(), e => !e.GetProperty("enabled").GetBoolean());
        Assert.Contains("failed", disabled.GetProperty("disabledReason").GetString(), StringComparison.Ordinal);

        // Nothing stays pending: what was due failed with the endpoint; a test asked for by hand while the last failure
        // was being recorded gets its one attempt and is not scheduled again.
        var pending = await user.Client.DeliveriesAsync(broken.Id(), "pending");
        for (var attempt = 0; attempt < 400 && pending.Length > 0; attempt++)
        {
            await Task.Delay(50, Token);
            pending = await user.Client.DeliveriesAsync(broken.Id(), "pending");
        }

        Assert.Empty(pending);
        Assert.True((await user.Client.GetEndpointAsync(healthy.Id())).GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task Finished_deliveries_and_their_messages_are_purged_after_the_retention_period()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var user = await api.CreateUserAsync();
        var endpoint = await user.Client.CreateEndpointAsync(receiver.Url("/kept"), "session.created");
        await user.Client.CreateSessionAsync();
        await user.Client.WaitForDeliveryAsync(endpoint.Id(), d => d.GetProperty("status").GetString() == "succeeded");

        api.Clock.Advance(TimeSpan.FromDays(29));
        await SweepAsync();
        Assert.Single(await user.Client.DeliveriesAsync(endpoint.Id()));

        api.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await SweepAsync();
        Assert.Empty(await user.Client.DeliveriesAsync(endpoint.Id()));
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Runtype.Infrastructure.Persistence.RuntypeDbContext>();
        Assert.False(db.WebhookMessages.Any(m => m.UserId == user.UserId));
    }

    private static string Sign(string secret, ReceivedWebhook message) =>
        new StandardWebhook(secret).Sign(message.Id, DateTimeOffset.FromUnixTimeSeconds(long.Parse(message.Timestamp!, System.Globalization.CultureInfo.InvariantCulture)), message.Body);

    private static async Task SendTestAsync(ApiUser user, string endpointId)
    {
        using var response = await user.Client.PostJsonAsync($"{WebhookWire.Endpoints}/{endpointId}/test", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static async Task<JsonElement> WaitForEndpointAsync(ApiUser user, string id, Func<JsonElement, bool> condition)
    {
        for (var attempt = 0; ; attempt++)
        {
            var endpoint = await user.Client.GetEndpointAsync(id);
            if (condition(endpoint) || attempt == 400)
            {
                Assert.True(condition(endpoint), $"The endpoint did not reach the state: {endpoint}");
                return endpoint;
            }

            await Task.Delay(50, Token);
        }
    }

    private Task SweepAsync() => api.Services.GetServices<IHostedService>().OfType<SessionSweeper>().Single().SweepAsync(Token);

    private static JsonElement Data(ReceivedWebhook message) => message.Json.GetProperty("data");
}
