using System.Net;
using System.Text.Json;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Webhooks;

/// <summary>Helpers for the webhook calls.</summary>
public static class WebhookWire
{
    public const string Endpoints = "/v1/webhooks/endpoints";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Registers an endpoint that must be created; returns it (with its secret).</summary>
    public static async Task<JsonElement> CreateEndpointAsync(this HttpClient client, string url, params string[] eventTypes)
    {
        var body = JsonSerializer.Serialize(new { url, eventTypes });
        using var response = await client.PostJsonAsync(Endpoints, body);
        var text = await response.ReadTextAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {body} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> GetEndpointAsync(this HttpClient client, string id)
    {
        using var response = await client.GetAsync($"{Endpoints}/{id}", Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    /// <summary>PATCH of an endpoint that must succeed; returns it.</summary>
    public static async Task<JsonElement> UpdateEndpointAsync(this HttpClient client, string id, string json)
    {
        using var response = await client.PatchJsonAsync($"{Endpoints}/{id}", json);
        var text = await response.ReadTextAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"PATCH {json} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The endpoint's deliveries, newest first (one page of 100).</summary>
    public static async Task<JsonElement[]> DeliveriesAsync(this HttpClient client, string endpointId, string? status = null)
    {
        var query = status is null ? "?limit=100" : $"?limit=100&status={status}";
        using var response = await client.GetAsync($"{Endpoints}/{endpointId}/deliveries{query}", Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.ReadJsonAsync()).GetProperty("data").EnumerateArray()];
    }

    /// <summary>
    /// Waits (generously) until one of the endpoint's deliveries meets <paramref name="condition"/>, moving the service's
    /// clock by <paramref name="step"/> (if any) on each poll so that scheduled attempts come due.
    /// </summary>
    public static async Task<JsonElement> WaitForDeliveryAsync(
        this HttpClient client, string endpointId, Func<JsonElement, bool> condition, ApiFixture? clockOf = null, TimeSpan? step = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var deliveries = await client.DeliveriesAsync(endpointId);
            if (deliveries.FirstOrDefault(condition) is { ValueKind: JsonValueKind.Object } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"No delivery of endpoint {endpointId} met the condition: {string.Join(", ", deliveries.Select(d => d.GetRawText()))}");
            }

            if (step is { } advance)
            {
                clockOf!.Clock.Advance(advance);
            }

            await Task.Delay(50, Token);
        }
    }
}
