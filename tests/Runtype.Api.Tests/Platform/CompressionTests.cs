using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Platform;

/// <summary>Brotli and gzip for JSON, problem details and the dashboard's files when the client accepts them; never for the event stream.</summary>
public sealed class CompressionTests(SqliteApiFixture api) : IClassFixture<SqliteApiFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task A_list_of_sessions_is_compressed_as_the_client_asks_and_decompresses_to_the_same_JSON(string encoding)
    {
        var user = await api.CreateUserAsync();
        for (var i = 0; i < 5; i++)
        {
            await user.Client.CreateSessionAsync("""{"prd":{"title":"A product with a long, repetitive description","description":"repeated text repeated text repeated text"}}""");
        }

        using var plain = await user.Client.GetAsync(Wire.Sessions, Token);
        using var compressed = await SendAsync(user.Client, Wire.Sessions, encoding);

        Assert.Equal([encoding], compressed.Content.Headers.ContentEncoding);
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        var bytes = await compressed.Content.ReadAsByteArrayAsync(Token);
        var text = Decompress(bytes, encoding);
        Assert.Equal(await plain.Content.ReadAsStringAsync(Token), text);
        Assert.True(bytes.Length < text.Length / 2, $"{bytes.Length} bytes for {text.Length}");
        Assert.Contains("Accept-Encoding", compressed.Headers.Vary);
    }

    [Fact]
    public async Task Problem_details_and_the_dashboard_s_files_are_compressed()
    {
        var user = await api.CreateUserAsync();

        using var problem = await SendAsync(user.Client, $"{Wire.Sessions}/01a22983-d23e-7bc2-863d-3b18d415b1ef", "gzip");
        using var script = await SendAsync(api.CreateAnonymousClient(uncheckedBecause: "the dashboard's files are not API calls"), "/app.js", "br");

        Assert.Equal(HttpStatusCode.NotFound, problem.StatusCode);
        Assert.Equal(["gzip"], problem.Content.Headers.ContentEncoding);
        using var body = JsonDocument.Parse(Decompress(await problem.Content.ReadAsByteArrayAsync(Token), "gzip"));
        Assert.Equal("not_found", body.RootElement.GetProperty("code").GetString());
        Assert.Equal(["br"], script.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task The_event_stream_is_never_compressed_and_its_events_arrive_live()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Wire.Sessions}/{id}/events/stream");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.AcceptEncoding.ParseAdd("br, gzip");

        var response = await user.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Token);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        await using var stream = EventStreamReader.Read(response);
        using var appended = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress","message":"live"}""");
        var live = await stream.NextEventAsync();

        Assert.Equal(HttpStatusCode.Created, appended.StatusCode);
        Assert.Contains("\"live\"", live.Data, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, string encoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.AcceptEncoding.ParseAdd(encoding);
        return await client.SendAsync(request, Token);
    }

    private static string Decompress(byte[] bytes, string encoding)
    {
        using var input = new MemoryStream(bytes);
        using Stream decompressor = encoding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var reader = new StreamReader(decompressor);
        return reader.ReadToEnd();
    }
}
