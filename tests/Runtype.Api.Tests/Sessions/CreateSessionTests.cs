using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Sessions;

/// <summary>POST /sessions (contract §4, §5).</summary>
public abstract class CreateSessionTests(ApiFixture api)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Creates_an_intake_session_with_every_member_and_a_Location()
    {
        var user = await api.CreateUserAsync("org_acme");

        using var response = await user.Client.PostJsonAsync(Wire.Sessions,
            """{"catalogVersion":"1.0","prd":{"description":"An AI-powered customer support product","title":"AI Customer Support"},"schemaVersion":"1.0"}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var session = await response.ReadJsonAsync();
        Shapes.AssertKeys(Shapes.Session, session);
        Shapes.AssertUuidV7(session.GetProperty("id"));
        Assert.Equal($"{Wire.Sessions}/{session.Id()}", response.Headers.Location?.OriginalString);
        Assert.Equal(user.UserId, session.GetProperty("userId").GetString());
        Assert.Equal("org_acme", session.GetProperty("organizationId").GetString());
        Assert.Equal("intake", session.GetProperty("status").GetString());
        Assert.Equal("1.0", session.GetProperty("catalogVersion").GetString());
        Assert.Equal("1.0", session.GetProperty("schemaVersion").GetString());
        Assert.Equal("""{"description":"An AI-powered customer support product","title":"AI Customer Support"}""", session.GetProperty("prd").GetRawText());
        foreach (var empty in new[] { "plan", "productObject", "productObjectHash", "assemblyState" })
        {
            Assert.Equal(JsonValueKind.Null, session.GetProperty(empty).ValueKind);
        }

        var createdAt = Shapes.AssertTimestamp(session.GetProperty("createdAt"));
        Assert.Equal(createdAt, Shapes.AssertTimestamp(session.GetProperty("updatedAt")));
        Assert.Equal(createdAt.AddDays(30), Shapes.AssertTimestamp(session.GetProperty("expiresAt")));
        Assert.NotNull(response.Headers.ETag);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("{}")]
    public async Task An_empty_body_or_empty_object_creates_a_session_with_nulls(string? body)
    {
        var user = await api.CreateUserAsync(organizationId: null);
        var request = new HttpRequestMessage(HttpMethod.Post, Wire.Sessions);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await user.Client.SendAsync(request, Token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var session = await response.ReadJsonAsync();
        Shapes.AssertKeys(Shapes.Session, session);
        foreach (var empty in new[] { "organizationId", "catalogVersion", "schemaVersion", "prd", "plan", "productObject", "productObjectHash", "assemblyState" })
        {
            Assert.Equal(JsonValueKind.Null, session.GetProperty(empty).ValueKind);
        }
    }

    [Fact]
    public async Task The_prd_comes_back_exactly_as_sent()
    {
        var user = await api.CreateUserAsync();
        const string prd = """{"z":1.0,"a":[1e2,-0,"é\u00e9\n",{"y":null,"b":true}],"m":{"nested":{"deep":12345678901234567890}}}""";

        var created = await user.Client.CreateSessionAsync($$"""{"prd":{{prd}}}""");
        var fetched = await user.Client.GetSessionAsync(created.Id());
        var listed = (await (await user.Client.GetAsync(Wire.Sessions, Token)).ReadJsonAsync()).GetProperty("data")[0];

        Assert.Equal(prd, created.GetProperty("prd").GetRawText());
        Assert.Equal(prd, fetched.GetProperty("prd").GetRawText());
        Assert.Equal(prd, listed.GetProperty("prd").GetRawText());
    }

    [Fact]
    public async Task A_version_of_64_characters_is_accepted()
    {
        var user = await api.CreateUserAsync();
        var version = new string('v', 64);

        var session = await user.Client.CreateSessionAsync($$"""{"catalogVersion":"{{version}}","schemaVersion":"{{version}}"}""");

        Assert.Equal(version, session.GetProperty("catalogVersion").GetString());
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { """{"catalogVersion":"{{long}}"}""", "catalogVersion" },
        { """{"schemaVersion":"{{long}}"}""", "schemaVersion" },
        { """{"catalogVersion":1}""", "catalogVersion" },
        { """{"schemaVersion":{}}""", "schemaVersion" },
        { """{"prd":"text"}""", "prd" },
        { """{"prd":[1,2]}""", "prd" },
        { """{"prd":42}""", "prd" },
        { """{"prd":{"a":1,"a":2}}""", "prd" },
        { """{"catalogVersion":"a","catalogVersion":"b"}""", "catalogVersion" },
        { """{"status":"planning"}""", "status" },
        { """{"unknownField":true}""", "unknownField" },
        { """{"prd":{"a":1}""", "body" },
        { """{"prd":}""", "prd" },
        { """[1,2,3]""", "body" },
        { "\"text\"", "body" },
        { "42", "body" },
        { "not json", "body" },
        { """{"catalogVersion":"\ud800"}""", "catalogVersion" },

        // Lone surrogates inside a free-form object, at any depth, as a value or a key: 400 like everywhere else.
        { """{"prd":{"s":"\ud800"}}""", "prd" },
        { """{"prd":{"s":"x\udc00"}}""", "prd" },
        { """{"prd":{"a":[1,{"b":"\udc00\ud800"}]}}""", "prd" },
        { """{"prd":{"\udfff":1}}""", "prd" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_bodies_are_400_naming_the_field_and_create_nothing(string body, string field)
    {
        var user = await api.CreateUserAsync();

        using var response = await user.Client.PostJsonAsync(Wire.Sessions, body.Replace("{{long}}", new string('x', 65), StringComparison.Ordinal));

        await response.AssertValidationProblemAsync(field);
        await AssertNoSessionsAsync(user);
    }

    [Theory]
    [InlineData("{\"catalogVersion\":\"1.0\",\"prd\":{\"title\":\"f\u0080uzz\"}}", "prd")] // found by the fuzz test: was a 500
    [InlineData("{\"catalogVersion\":\"\u00ff\"}", "catalogVersion")]
    public async Task Bytes_that_are_not_UTF8_are_400_naming_the_field_and_create_nothing(string latin1, string field)
    {
        var user = await api.CreateUserAsync();

        using var response = await user.Client.SendLatin1Async(HttpMethod.Post, Wire.Sessions, latin1);

        await response.AssertValidationProblemAsync(field);
        await AssertNoSessionsAsync(user);
    }

    [Fact]
    public async Task Nesting_of_64_levels_is_accepted_and_65_is_400()
    {
        var user = await api.CreateUserAsync();

        // The body object is level 1, "prd" level 2: 63 more nested arrays reach 64.
        using var ok = await user.Client.PostJsonAsync(Wire.Sessions, "{\"prd\":{\"a\":" + new string('[', 62) + new string(']', 62) + "}}");
        using var tooDeep = await user.Client.PostJsonAsync(Wire.Sessions, "{\"prd\":{\"a\":" + new string('[', 63) + new string(']', 63) + "}}");

        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        await tooDeep.AssertValidationProblemAsync("prd");
        var total = (await (await user.Client.GetAsync(Wire.Sessions, Token)).ReadJsonAsync()).GetProperty("pagination").GetProperty("total").GetInt32();
        Assert.Equal(1, total);
    }

    [Fact]
    public async Task A_body_over_1_MiB_is_413_and_creates_nothing()
    {
        var user = await api.CreateUserAsync();
        var body = $$$"""{"prd":{"blob":"{{{new string('x', 1024 * 1024)}}}"}}""";

        using var response = await user.Client.PostJsonAsync(Wire.Sessions, body);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body_too_large");
        await AssertNoSessionsAsync(user);
    }

    [Fact]
    public async Task A_chunked_body_over_1_MiB_is_413_too()
    {
        var user = await api.CreateUserAsync();
        var bytes = Encoding.UTF8.GetBytes($$$"""{"prd":{"blob":"{{{new string('x', 1024 * 1024)}}}"}}""");
        var content = new StreamContent(new MemoryStream(bytes));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, Wire.Sessions) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await user.Client.SendAsync(request, Token);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        await AssertNoSessionsAsync(user);
    }

    [Fact]
    public async Task A_body_just_under_1_MiB_is_accepted()
    {
        var user = await api.CreateUserAsync();
        var envelope = """{"prd":{"blob":""}}""".Length;
        var body = $$$"""{"prd":{"blob":"{{{new string('x', (1024 * 1024) - envelope)}}}"}}""";
        Assert.Equal(1024 * 1024, Encoding.UTF8.GetByteCount(body));

        using var response = await user.Client.PostJsonAsync(Wire.Sessions, body);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("text/plain", "{}")]
    [InlineData("application/x-www-form-urlencoded", "{}")]
    [InlineData("application/x-www-form-urlencoded", "a[b=1&{,\"prd\":{}}")] // a form key a form parser would choke on
    [InlineData("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"a[b\"\r\n\r\n1\r\n--x--\r\n")]
    public async Task A_body_that_is_not_declared_as_JSON_is_415(string mediaType, string body)
    {
        var user = await api.CreateUserAsync();
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
        var request = new HttpRequestMessage(HttpMethod.Post, Wire.Sessions) { Content = content };

        using var response = await user.Client.SendAsync(request, Token);

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await AssertNoSessionsAsync(user);
    }

    [Fact]
    public async Task Bodies_still_arriving_hold_no_database_connection_and_other_calls_go_on()
    {
        // More unfinished bodies than a server database's pool has connections (30 in the tests): were each holding one,
        // the reads below would wait for the pool (on PostgreSQL, retried, past the client's timeout).
        const int Unfinished = 40;
        var user = await api.CreateUserAsync();
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arriving = Enumerable.Range(0, Unfinished).Select(async i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, Wire.Sessions) { Content = new UnfinishedJson($"{{\"prd\":{{\"n\":{i}}}}}", finish.Task) };
            using var response = await user.Client.SendAsync(request, Token);
            return response.StatusCode;
        }).ToArray();

        for (var i = 0; i < 10; i++)
        {
            using var list = await user.Client.GetAsync(Wire.Sessions, Token);
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            Assert.Equal(0, (await list.ReadJsonAsync()).GetProperty("pagination").GetProperty("total").GetInt32());
        }

        Assert.DoesNotContain(arriving, call => call.IsCompleted);
        finish.SetResult();
        Assert.All(await Task.WhenAll(arriving), status => Assert.Equal(HttpStatusCode.Created, status));
        using var after = await user.Client.GetAsync(Wire.Sessions, Token);
        Assert.Equal(Unfinished, (await after.ReadJsonAsync()).GetProperty("pagination").GetProperty("total").GetInt32());
    }

    /// <summary>A JSON body sent in two parts: its first byte at once, the rest once <c>finish</c> completes.</summary>
    private sealed class UnfinishedJson : HttpContent
    {
        private readonly byte[] _bytes;
        private readonly Task _finish;

        public UnfinishedJson(string json, Task finish)
        {
            (_bytes, _finish) = (Encoding.UTF8.GetBytes(json), finish);
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(_bytes.AsMemory(0, 1));
            await stream.FlushAsync();
            await _finish;
            await stream.WriteAsync(_bytes.AsMemory(1));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _bytes.Length;
            return true;
        }
    }

    private static async Task AssertNoSessionsAsync(ApiUser user)
    {
        using var list = await user.Client.GetAsync(Wire.Sessions, Token);
        Assert.Equal(0, (await list.ReadJsonAsync()).GetProperty("pagination").GetProperty("total").GetInt32());
    }
}
