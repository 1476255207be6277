using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Api.Tests.Infrastructure;
using StandardWebhooks;

namespace Runtype.Api.Tests.Webhooks;

/// <summary>
/// Webhook deliveries end to end (contract §7): the real API on a real database, the real dispatcher, and a real receiver
/// (Kestrel on loopback) that checks every signature with the StandardWebhooks package. The service's clock is the
/// fixture's: scheduled attempts come due when a test moves it.
/// </summary>
public abstract class WebhookDeliveryTests(ApiFixture api)
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(500);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_session_driven_to_completed_sends_every_message_signed_with_the_API_representation_as_data()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var user = await api.CreateUserAsync();
        var endpoint = await user.Client.CreateEndpointAsync(receiver.Url("/all"));
        var secret = endpoint.GetProperty("secret").GetString()!;

        using var created = await user.Client.PostJsonAsync(Wire.Sessions, """{"prd":{"title":"Shop","b":1,"a":2}}""");
        var createdText = await created.ReadTextAsync();
        var id = JsonDocument.Parse(createdText).RootElement.Id();
        var planning = await PatchTextAsync(user, id, """{"status":"planning"}""");
        var generating = await PatchTextAsync(user, id, """{"status":"generating","plan":{"steps":3}}""");
        using var appended = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress","stage":"generation","payload":{"step":2,"of":5}}""");
        var appendedText = await appended.ReadTextAsync();
        var assembling = await PatchTextAsync(user, id, """{"status":"assembling","assemblyState":{"progress":75}}""");
        var completed = await PatchTextAsync(user, id, """{"status":"completed","productObject":{"type":"text-generation","config":{"maxTokens":512}}}""");

        var received = await receiver.WaitForAsync("/all", 7);

        // No order is promised (and the test's clock stands still, so the ids share one millisecond): compared as sets.
        Assert.Equal(
            ["session.completed", "session.created", "session.event_appended", "session.status_changed", "session.status_changed", "session.status_changed", "session.status_changed"],
            received.Select(r => r.Type).Order(StringComparer.Ordinal));
        Assert.Equal(7, received.Select(r => r.Id).Distinct().Count());
        foreach (var message in received)
        {
            new StandardWebhook(secret).Verify(message.Body, message.Headers);
            Assert.Equal("POST", message.Method);
            Assert.StartsWith("application/json", message.Headers.ContentType.ToString(), StringComparison.Ordinal);
            Assert.StartsWith("Runtype-Webhooks/", message.Headers.UserAgent.ToString(), StringComparison.Ordinal);
            Assert.Matches("^msg_[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$", message.Id);
            Assert.Matches("^[0-9]+$", message.Timestamp);
            Assert.Equal(["type", "timestamp", "data"], message.Json.Keys());
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", message.Json.GetProperty("timestamp").GetString());
        }

        // data.session is the session resource as the API answered the change, byte for byte; data.event the event.
        string[] lifecycle = ["planning", "generating", "assembling", "completed"];
        var byType = received.GroupBy(r => r.Type!).ToDictionary(g => g.Key, g => g.ToArray());
        Assert.Equal(createdText, Data(byType["session.created"][0]).GetProperty("session").GetRawText());
        Assert.Equal(appendedText, Data(byType["session.event_appended"][0]).GetProperty("event").GetRawText());
        var changes = byType["session.status_changed"].Select(Data).OrderBy(c => Array.IndexOf(lifecycle, c.GetProperty("to").GetString())).ToArray();
        Assert.Equal([planning, generating, assembling, completed], changes.Select(c => c.GetProperty("session").GetRawText()));
        Assert.Equal(
            [("intake", "planning"), ("planning", "generating"), ("generating", "assembling"), ("assembling", "completed")],
            changes.Select(c => (c.GetProperty("from").GetString(), c.GetProperty("to").GetString())));
        Assert.Equal(["session", "from", "to"], changes[0].Keys());
        Assert.Equal(completed, Data(byType["session.completed"][0]).GetProperty("session").GetRawText());
        Assert.Equal(["session"], Data(byType["session.completed"][0]).Keys());

        // The log shows each of them delivered at the first attempt.
        var log = await user.Client.DeliveriesAsync(endpoint.Id());
        Assert.Equal(7, log.Length);
        Assert.All(log, d => Assert.Equal(
            ["id", "messageId", "eventType", "status", "attempts", "lastAttemptAt", "lastResponseStatus", "nextAttemptAt", "createdAt"], d.Keys()));
        var delivered = await user.Client.WaitForDeliveryAsync(
            endpoint.Id(), d => d.GetProperty("eventType").GetString() == "session.completed" && d.GetProperty("status").GetString() == "succeeded");
        Assert.Equal(1, delivered.GetProperty("attempts").GetInt32());
        Assert.Equal(200, delivered.GetProperty("lastResponseStatus").GetInt32());
        Assert.Equal(JsonValueKind.Null, delivered.GetProperty("nextAttemptAt").ValueKind);
        Assert.Contains(received, r => r.Id == delivered.GetProperty("messageId").GetString());
    }

    [Fact]
    public async Task An_endpoint_receives_only_the_types_it_subscribes_to()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var user = await api.CreateUserAsync();
        var done = await user.Client.CreateEndpointAsync(receiver.Url("/done"), "session.completed");
        var events = await user.Client.CreateEndpointAsync(receiver.Url("/events"), "session.event_appended");

        var id = await user.Client.CreateSessionInStatusAsync("generating", "assembling");
        using var appended = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress"}""");
        await user.Client.UpdateSessionAsync(id, """{"status":"completed"}""");

        Assert.Equal("session.completed", Assert.Single(await receiver.WaitForAsync("/done", 1)).Type);
        Assert.Equal("session.event_appended", Assert.Single(await receiver.WaitForAsync("/events", 1)).Type);
        Assert.Single(await user.Client.DeliveriesAsync(done.Id()));
        Assert.Single(await user.Client.DeliveriesAsync(events.Id()));
    }

    [Fact]
    public async Task A_failed_attempt_is_retried_on_the_schedule_with_the_same_webhook_id_until_it_succeeds()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer("/flaky", (_, n) => new ReceiverAnswer(n < 3 ? 500 : 204));
        var user = await api.CreateUserAsync();
        var endpoint = await user.Client.CreateEndpointAsync(receiver.Url("/flaky"), "session.created");
        var secret = endpoint.GetProperty("secret").GetString()!;
        using var metrics = new HostMetrics(api.Services);

        await user.Client.CreateSessionAsync();
        var first = await user.Client.WaitForDeliveryAsync(endpoint.Id(), d => d.GetProperty("attempts").GetInt32() == 1 && d.GetProperty("lastResponseStatus").ValueKind == JsonValueKind.Number);
        var attempts = await receiver.WaitForAsync("/flaky", 3, () => api.Clock.Advance(Step));
        var delivered = await user.Client.WaitForDeliveryAsync(endpoint.Id(), d => d.GetProperty("status").GetString() == "succeeded");

        // The first failure: pending, due again after the schedule's second delay (1 s of the service's clock).
        Assert.Equal("pending", first.GetProperty("status").GetString());
        Assert.Equal(500, first.GetProperty("lastResponseStatus").GetInt32());
        Assert.Equal(TimeSpan.FromSeconds(1), Time(first, "nextAttemptAt") - Time(first, "lastAttemptAt"));

        // One message, one id on every attempt; each attempt signed anew with its own timestamp.
        Assert.Single(attempts.Select(a => a.Id).Distinct());
        Assert.Equal(delivered.GetProperty("messageId").GetString(), attempts[0].Id);
        Assert.Single(attempts.Select(a => a.Body).Distinct());
        Assert.Equal(3, attempts.Select(a => a.Timestamp).Distinct().Count());
        Assert.All(attempts, a => new StandardWebhook(secret).Verify(a.Body, a.Headers));
        Assert.Equal(3, delivered.GetProperty("attempts").GetInt32());
        Assert.Equal(204, delivered.GetProperty("lastResponseStatus").GetInt32());

        // The service's meter counts each recorded attempt by its outcome (at least these: the dispatcher may also be
        // finishing another test's deliveries).
        Assert.True(metrics.Sum("runtype.webhook.attempts", "outcome=failed") >= 2);
        Assert.True(metrics.Sum("runtype.webhook.attempts", "outcome=succeeded") >= 1);
    }

    [Fact]
    public async Task After_the_last_scheduled_attempt_the_delivery_is_failed_and_a_manual_retry_sends_it_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var down = true;
        receiver.Answer("/down", (_, _) => new ReceiverAnswer(down ? 503 : 200));
        var user = await api.CreateUserAsync();
        var endpoint = await user.Client.CreateEndpointAsync(receiver.Url("/down"), "session.created");

        await user.Client.CreateSessionAsync();
        var failed = await user.Client.WaitForDeliveryAsync(endpoint.Id(), d => d.GetProperty("status").GetString() == "failed", api, Step);
        Assert.Equal(WebhookTestSettings.Attempts, failed.GetProperty("attempts").GetInt32());
        Assert.Equal(503, failed.GetProperty("lastResponseStatus").GetInt32());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("nextAttemptAt").ValueKind);
        Assert.Equal([failed.Id()], (await user.Client.DeliveriesAsync(endpoint.Id(), "failed")).Select(d => d.Id()));
        Assert.Empty(await user.Client.DeliveriesAsync(endpoint.Id(), "pending"));
        Assert.True((await user.Client.GetEndpointAsync(endpoint.Id())).GetProperty("enabled").GetBoolean());

        down = false;
        using var retry = await user.Client.PostJsonAsync($"{WebhookWire.Endpoints}/{endpoint.Id()}/deliveries/{failed.Id()}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var accepted = await retry.ReadJsonAsync();
        Assert.Equal(failed.Id(), accepted.Id());
        Assert.Equal("pending", accepted.GetProperty("status").GetString());

        var received = await receiver.WaitForAsync("/down", WebhookTestSettings.Attempts + 1);
        var succeeded = await user.Client.WaitForDeliveryAsync(endpoint.Id(), d => d.GetProperty("status").GetString() == "succeeded");
        Assert.Single(received.Select(r => r.Id).Distinct());
        Assert.Equal(WebhookTestSettings.Attempts + 1, succeeded.GetProperty("attempts").GetInt32());
        Assert.Equal(200, succeeded.GetProperty("lastResponseStatus").GetInt32());
    }

    [Fact]
    public async Task A_Retry_After_from_the_receiver_sets_when_the_next_attempt_is_due()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer("/busy", (_, n) => n == 1 ? new ReceiverAnswer(429, new Dictionary<string, string> { ["Retry-After"] = "120" }) : new ReceiverAnswer(200));
        var user = await api.CreateUserAsync();
        var endpoint = await user.Client.CreateEndpointAsync(receiver.Url("/busy"), "session.created");

        await user.Client.CreateSessionAsync();
        var waiting = await user.Client.WaitForDeliveryAsync(endpoint.Id(), d => d.GetProperty("lastResponseStatus").ValueKind == JsonValueKind.Number);
        Assert.Equal(429, waiting.GetProperty("lastResponseStatus").GetInt32());
        Assert.Equal(TimeSpan.FromSeconds(120), Time(waiting, "nextAttemptAt") - Time(waiting, "lastAttemptAt"));

        api.Clock.Advance(TimeSpan.FromSeconds(120));
        await receiver.WaitForAsync("/busy", 2, () => api.Clock.Advance(TimeSpan.FromMilliseconds(100)));
        await user.Client.WaitForDeliveryAsync(endpoint.Id(), d => d.GetProperty("status").GetString() == "succeeded");
    }

    [Fact]
    public async Task A_410_disables_the_endpoint_and_fails_its_pending_deliveries_until_it_is_enabled_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var gone = true;
        receiver.Answer("/gone", (_, _) => new ReceiverAnswer(gone ? 410 : 200));
        var user = await api.CreateUserAsync();
        var endpoint = await user.Client.CreateEndpointAsync(receiver.Url("/gone"), "session.created", "session.event_appended");

        var id = (await user.Client.CreateSessionAsync()).Id();
        var failed = await user.Client.WaitForDeliveryAsync(endpoint.Id(), d => d.GetProperty("status").GetString() == "failed");
        Assert.Equal(1, failed.GetProperty("attempts").GetInt32());
        Assert.Equal(410, failed.GetProperty("lastResponseStatus").GetInt32());
        var disabled = await user.Client.GetEndpointAsync(endpoint.Id());
        Assert.False(disabled.GetProperty("enabled").GetBoolean());
        Assert.Contains("410", disabled.GetProperty("disabledReason").GetString(), StringComparison.Ordinal);

        // Disabled: a change writes no delivery for it.
        using (var appended = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress"}"""))
        {
            Assert.Equal(HttpStatusCode.Created, appended.StatusCode);
        }

        Assert.Single(await user.Client.DeliveriesAsync(endpoint.Id()));

        // Enabled again: the failure state is cleared and messages flow.
        gone = false;
        var enabled = await user.Client.UpdateEndpointAsync(endpoint.Id(), """{"enabled":true}""");
        Assert.True(enabled.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, enabled.GetProperty("disabledReason").ValueKind);
        using (var appended = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress"}"""))
        {
            Assert.Equal(HttpStatusCode.Created, appended.StatusCode);
        }

        await user.Client.WaitForDeliveryAsync(endpoint.Id(), d => d.GetProperty("status").GetString() == "succeeded");
        Assert.Equal(["session.created", "session.event_appended"], receiver.ReceivedAt("/gone").Select(r => r.Type));
    }

    [Fact]
    public async Task Disabling_an_endpoint_fails_its_pending_deliveries_and_deleting_one_drops_them()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer("/failing", 500);
        var user = await api.CreateUserAsync();
        var disabled = await user.Client.CreateEndpointAsync(receiver.Url("/failing"), "session.created");
        var deleted = await user.Client.CreateEndpointAsync(receiver.Url("/failing"), "session.created");

        await user.Client.CreateSessionAsync();
        await user.Client.WaitForDeliveryAsync(disabled.Id(), d => d.GetProperty("attempts").GetInt32() == 1 && d.GetProperty("status").GetString() == "pending" && !InFlight(d));
        await user.Client.WaitForDeliveryAsync(deleted.Id(), d => d.GetProperty("attempts").GetInt32() == 1 && !InFlight(d));

        var off = await user.Client.UpdateEndpointAsync(disabled.Id(), """{"enabled":false}""");
        Assert.False(off.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, off.GetProperty("disabledReason").ValueKind);
        var abandoned = Assert.Single(await user.Client.DeliveriesAsync(disabled.Id()));
        Assert.Equal("failed", abandoned.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, abandoned.GetProperty("nextAttemptAt").ValueKind);

        using (var delete = await user.Client.DeleteAsync($"{WebhookWire.Endpoints}/{deleted.Id()}", Token))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Runtype.Infrastructure.Persistence.RuntypeDbContext>();
        Assert.Equal(0, await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(
            db.WebhookDeliveries.Where(d => d.EndpointId == Guid.Parse(deleted.Id())), Token));
    }

    [Fact]
    public async Task A_receiver_that_never_answers_holds_up_neither_another_endpoint_nor_the_API()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var release = new TaskCompletionSource();
        receiver.Answer("/silent", (_, _) => new ReceiverAnswer(200, HoldUntil: release.Task));
        var user = await api.CreateUserAsync();
        var silent = await user.Client.CreateEndpointAsync(receiver.Url("/silent"), "session.created");
        var lively = await user.Client.CreateEndpointAsync(receiver.Url("/lively"), "session.event_appended");
        try
        {
            var id = (await user.Client.CreateSessionAsync()).Id();
            await receiver.WaitForAsync("/silent", 1);

            // While the silent one holds its request, the API answers and the other endpoint gets its message.
            using var appended = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress"}""");
            Assert.Equal(HttpStatusCode.Created, appended.StatusCode);
            await receiver.WaitForAsync("/lively", 1);
            Assert.False(release.Task.IsCompleted);

            // The silent attempt ends at the timeout: no status, another attempt scheduled.
            var timedOut = await user.Client.WaitForDeliveryAsync(silent.Id(), d => d.GetProperty("attempts").GetInt32() == 1 && !InFlight(d));
            Assert.Equal("pending", timedOut.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, timedOut.GetProperty("lastResponseStatus").ValueKind);
            await user.Client.WaitForDeliveryAsync(lively.Id(), d => d.GetProperty("status").GetString() == "succeeded");
        }
        finally
        {
            release.SetResult();
        }
    }

    [Fact]
    public async Task Redirects_are_not_followed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer("/moved", (_, _) => new ReceiverAnswer(307, new Dictionary<string, string> { ["Location"] = receiver.Url("/elsewhere") }));
        var user = await api.CreateUserAsync();
        var endpoint = await user.Client.CreateEndpointAsync(receiver.Url("/moved"), "session.created");

        await user.Client.CreateSessionAsync();
        var attempt = await user.Client.WaitForDeliveryAsync(endpoint.Id(), d => d.GetProperty("lastResponseStatus").ValueKind == JsonValueKind.Number);

        Assert.Equal(307, attempt.GetProperty("lastResponseStatus").GetInt32());
        Assert.Equal("pending", attempt.GetProperty("status").GetString());
        Assert.Empty(receiver.ReceivedAt("/elsewhere"));
    }

    [Fact]
    public async Task A_refused_change_writes_no_message_and_a_replayed_request_writes_none_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var user = await api.CreateUserAsync();
        var endpoint = await user.Client.CreateEndpointAsync(receiver.Url("/strict"));

        using var create = await user.Client.SendJsonAsync(HttpMethod.Post, Wire.Sessions, "{}", r => r.Headers.Add("Idempotency-Key", "wh-create-1"));
        using var replay = await user.Client.SendJsonAsync(HttpMethod.Post, Wire.Sessions, "{}", r => r.Headers.Add("Idempotency-Key", "wh-create-1"));
        var id = (await create.ReadJsonAsync()).Id();
        Assert.Equal(id, (await replay.ReadJsonAsync()).Id());
        using var illegal = await user.Client.PatchJsonAsync($"{Wire.Sessions}/{id}", """{"status":"completed"}""");
        Assert.Equal(HttpStatusCode.Conflict, illegal.StatusCode);
        await user.Client.UpdateSessionAsync(id, """{"status":"cancelled"}""");
        using var readOnly = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"late"}""");
        Assert.Equal(HttpStatusCode.Conflict, readOnly.StatusCode);
        using var reserved = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"status_changed"}""");
        Assert.Equal(HttpStatusCode.BadRequest, reserved.StatusCode);

        // Created once, cancelled (a status change and a terminal status): three messages, nothing for what was refused.
        var received = await receiver.WaitForAsync("/strict", 3);
        Assert.Equal(["session.cancelled", "session.created", "session.status_changed"], received.Select(r => r.Type).Order(StringComparer.Ordinal));
        Assert.Equal(3, (await user.Client.DeliveriesAsync(endpoint.Id())).Length);
    }

    [Fact]
    public async Task Concurrent_appends_each_send_one_message_with_their_own_event()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var user = await api.CreateUserAsync();
        var endpoint = await user.Client.CreateEndpointAsync(receiver.Url("/busy-session"), "session.event_appended");
        var id = (await user.Client.CreateSessionAsync()).Id();
        const int Appends = 16;

        var responses = await Task.WhenAll(Enumerable.Range(0, Appends).Select(i =>
            user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", "{\"type\":\"progress\",\"payload\":{\"n\":" + i + "}}")));
        var appended = new List<string>();
        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            appended.Add((await response.ReadJsonAsync()).Id());
            response.Dispose();
        }

        var received = await receiver.WaitForAsync("/busy-session", Appends);
        Assert.Equal(appended.Order(StringComparer.Ordinal), received.Select(r => r.Json.GetProperty("data").GetProperty("event").Id()).Order(StringComparer.Ordinal));
        Assert.Equal(Appends, (await user.Client.DeliveriesAsync(endpoint.Id())).Length);
    }

    private static bool InFlight(JsonElement delivery) =>
        delivery.GetProperty("status").GetString() == "pending" && delivery.GetProperty("nextAttemptAt").ValueKind == JsonValueKind.String
        && Time(delivery, "nextAttemptAt") - Time(delivery, "lastAttemptAt") > TimeSpan.FromSeconds(5);

    private static DateTimeOffset Time(JsonElement delivery, string property) =>
        DateTimeOffset.Parse(delivery.GetProperty(property).GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    private static JsonElement Data(ReceivedWebhook message) => message.Json.GetProperty("data");

    private static async Task<string> PatchTextAsync(ApiUser user, string id, string json)
    {
        using var response = await user.Client.PatchJsonAsync($"{Wire.Sessions}/{id}", json);
        var text = await response.ReadTextAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"PATCH {json} answered {(int)response.StatusCode}: {text}");
        return text;
    }
}
