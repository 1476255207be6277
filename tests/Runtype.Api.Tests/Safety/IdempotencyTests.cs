using System.Net;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Safety;

/// <summary>Idempotency-Key on both POSTs (contract §4): a retry answers as the first time and writes nothing.</summary>
public abstract class IdempotencyTests(ApiFixture api)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_retried_create_returns_the_first_answer_and_creates_nothing_new()
    {
        var user = await api.CreateUserAsync();
        var key = Guid.NewGuid().ToString();
        const string body = """{"catalogVersion":"1.0","prd":{"title":"x"}}""";

        using var first = await PostAsync(user, Wire.Sessions, body, key);
        api.Clock.Advance(TimeSpan.FromSeconds(5));
        using var retry = await PostAsync(user, Wire.Sessions, body, key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(await first.ReadTextAsync(), await retry.ReadTextAsync());
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal(first.Headers.ETag, retry.Headers.ETag);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, await TotalAsync(user));
    }

    [Fact]
    public async Task The_same_JSON_with_other_whitespace_is_the_same_request()
    {
        var user = await api.CreateUserAsync();
        var key = Guid.NewGuid().ToString();

        using var first = await PostAsync(user, Wire.Sessions, """{"prd":{"a":1}}""", key);
        using var retry = await PostAsync(user, Wire.Sessions, "{ \"prd\" : { \"a\" : 1 } }", key);

        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal((await first.ReadJsonAsync()).Id(), (await retry.ReadJsonAsync()).Id());
        Assert.Equal(1, await TotalAsync(user));
    }

    [Fact]
    public async Task The_same_key_with_a_different_body_is_422_and_creates_nothing()
    {
        var user = await api.CreateUserAsync();
        var key = Guid.NewGuid().ToString();
        using var first = await PostAsync(user, Wire.Sessions, """{"catalogVersion":"1"}""", key);

        using var reused = await PostAsync(user, Wire.Sessions, """{"catalogVersion":"2"}""", key);

        await reused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        Assert.Equal(1, await TotalAsync(user));
    }

    [Fact]
    public async Task Keys_belong_to_their_user()
    {
        var alice = await api.CreateUserAsync();
        var bob = await api.CreateUserAsync();
        var key = Guid.NewGuid().ToString();

        using var fromAlice = await PostAsync(alice, Wire.Sessions, "{}", key);
        using var fromBob = await PostAsync(bob, Wire.Sessions, "{}", key);

        Assert.Equal(HttpStatusCode.Created, fromBob.StatusCode);
        Assert.False(fromBob.Headers.Contains("Idempotent-Replayed"));
        Assert.NotEqual((await fromAlice.ReadJsonAsync()).Id(), (await fromBob.ReadJsonAsync()).Id());
        Assert.Equal(1, await TotalAsync(bob));
    }

    [Fact]
    public async Task A_retried_event_append_appends_once()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var key = Guid.NewGuid().ToString();
        const string body = """{"type":"progress","payload":{"step":1}}""";

        using var first = await PostAsync(user, $"{Wire.Sessions}/{id}/events", body, key);
        using var retry = await PostAsync(user, $"{Wire.Sessions}/{id}/events", body, key);
        using var other = await PostAsync(user, $"{Wire.Sessions}/{id}/events", """{"type":"progress","payload":{"step":2}}""", key);

        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(await first.ReadTextAsync(), await retry.ReadTextAsync());
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        await other.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        Assert.Equal(1, (await user.Client.GetSessionAsync(id)).GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task A_key_used_for_a_session_cannot_be_reused_for_an_event()
    {
        var user = await api.CreateUserAsync();
        var key = Guid.NewGuid().ToString();
        using var created = await PostAsync(user, Wire.Sessions, "{}", key);
        var id = (await created.ReadJsonAsync()).Id();

        using var append = await PostAsync(user, $"{Wire.Sessions}/{id}/events", """{"type":"x"}""", key);

        await append.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(0, (await user.Client.GetSessionAsync(id)).GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_write_exactly_once_and_all_get_the_same_answer()
    {
        var user = await api.CreateUserAsync();
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => PostAsync(user, Wire.Sessions, """{"prd":{"n":1}}""", key)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var bodies = new HashSet<string>();
        foreach (var response in responses)
        {
            bodies.Add(await response.ReadTextAsync());
            response.Dispose();
        }

        Assert.Single(bodies);
        Assert.Equal(1, await TotalAsync(user));
        Assert.Equal(11, responses.Count(r => r.Headers.Contains("Idempotent-Replayed")));
    }

    [Fact]
    public async Task A_failed_request_is_not_remembered_so_the_key_can_be_retried()
    {
        var user = await api.CreateUserAsync();
        var key = Guid.NewGuid().ToString();
        var missing = Guid.CreateVersion7();

        using var invalid = await PostAsync(user, Wire.Sessions, """{"catalogVersion":1}""", key);
        using var corrected = await PostAsync(user, Wire.Sessions, """{"catalogVersion":"1"}""", key);
        using var notFound = await PostAsync(user, $"{Wire.Sessions}/{missing}/events", """{"type":"x"}""", "k-" + key);
        using var later = await PostAsync(user, Wire.Sessions, "{}", "k-" + key);

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.Created, corrected.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal(HttpStatusCode.Created, later.StatusCode);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("é")]
    public async Task A_malformed_key_is_400(string key)
    {
        var user = await api.CreateUserAsync();

        using var response = await PostAsync(user, Wire.Sessions, "{}", key);

        await response.AssertValidationProblemAsync("Idempotency-Key");
        Assert.Equal(0, await TotalAsync(user));
    }

    [Fact]
    public async Task A_key_longer_than_255_characters_is_400()
    {
        var user = await api.CreateUserAsync();

        using var response = await PostAsync(user, Wire.Sessions, "{}", new string('k', 256));
        using var longest = await PostAsync(user, Wire.Sessions, "{}", new string('k', 255));

        await response.AssertValidationProblemAsync("Idempotency-Key");
        Assert.Equal(HttpStatusCode.Created, longest.StatusCode);
    }

    [Fact]
    public async Task A_key_is_remembered_for_24_hours_then_forgotten()
    {
        var user = await api.CreateUserAsync();
        var key = Guid.NewGuid().ToString();
        using var first = await PostAsync(user, Wire.Sessions, """{"catalogVersion":"1"}""", key);

        api.Clock.Advance(TimeSpan.FromHours(23));
        using var withinRetention = await PostAsync(user, Wire.Sessions, """{"catalogVersion":"2"}""", key);
        api.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        using var afterRetention = await PostAsync(user, Wire.Sessions, """{"catalogVersion":"2"}""", key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, withinRetention.StatusCode);
        Assert.Equal(HttpStatusCode.Created, afterRetention.StatusCode);
        Assert.Equal(2, await TotalAsync(user));
    }

    private static Task<HttpResponseMessage> PostAsync(ApiUser user, string url, string body, string key) =>
        user.Client.SendJsonAsync(HttpMethod.Post, url, body, r => r.Headers.TryAddWithoutValidation("Idempotency-Key", key));

    private static async Task<int> TotalAsync(ApiUser user)
    {
        using var response = await user.Client.GetAsync(Wire.Sessions, Token);
        return (await response.ReadJsonAsync()).GetProperty("pagination").GetProperty("total").GetInt32();
    }
}
