using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Runtype.Api.Tests.Infrastructure;

/// <summary>Small helpers to send raw JSON text and read answers as <see cref="JsonElement"/>.</summary>
public static class Wire
{
    public const string Sessions = "/v1/products/generation/sessions";

    /// <summary>Answers echo what was sent: a body nested 64 deep comes back nested deeper inside the resource.</summary>
    private static readonly JsonDocumentOptions Lenient = new() { MaxDepth = 256 };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, string? json) =>
        client.SendJsonAsync(HttpMethod.Post, url, json);

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string url, string? json) =>
        client.SendJsonAsync(HttpMethod.Patch, url, json);

    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string url, string? json, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        configure?.Invoke(request);
        return client.SendAsync(request, Token);
    }

    /// <summary>
    /// Sends a body declared as JSON whose bytes are the Latin-1 code of <paramref name="text"/>: "\u0080" becomes the
    /// byte 0x80, which is not UTF-8 on its own.
    /// </summary>
    public static Task<HttpResponseMessage> SendLatin1Async(this HttpClient client, HttpMethod method, string url, string text)
    {
        var request = new HttpRequestMessage(method, url) { Content = new ByteArrayContent(Encoding.Latin1.GetBytes(text)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return client.SendAsync(request, Token);
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Token);
        using var document = JsonDocument.Parse(text, Lenient);
        return document.RootElement.Clone();
    }

    public static async Task<string> ReadTextAsync(this HttpResponseMessage response) =>
        await response.Content.ReadAsStringAsync(Token);

    /// <summary>Creates a session with <paramref name="json"/> as body and returns it.</summary>
    public static async Task<JsonElement> CreateSessionAsync(this HttpClient client, string? json = "{}")
    {
        using var response = await client.PostJsonAsync(Sessions, json);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    public static async Task<JsonElement> GetSessionAsync(this HttpClient client, string id)
    {
        using var response = await client.GetAsync($"{Sessions}/{id}", Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    /// <summary>PATCH that must succeed; returns the updated session.</summary>
    public static async Task<JsonElement> UpdateSessionAsync(this HttpClient client, string id, string json)
    {
        using var response = await client.PatchJsonAsync($"{Sessions}/{id}", json);
        var body = await response.ReadTextAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"PATCH {json} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Moves a new session through <paramref name="statuses"/> and returns its id.</summary>
    public static async Task<string> CreateSessionInStatusAsync(this HttpClient client, params string[] statuses)
    {
        var id = (await client.CreateSessionAsync()).GetProperty("id").GetString()!;
        foreach (var status in statuses)
        {
            await client.UpdateSessionAsync(id, $$"""{"status":"{{status}}"}""");
        }

        return id;
    }

    public static string Id(this JsonElement element) => element.GetProperty("id").GetString()!;

    public static string[] Keys(this JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
