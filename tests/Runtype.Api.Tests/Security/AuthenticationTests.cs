using System.Net;
using System.Net.Http.Headers;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Application.ApiKeys.ListApiKeys;

namespace Runtype.Api.Tests.Security;

/// <summary>Credentials, scopes and the 401/403 answers (contract §2).</summary>
public abstract class AuthenticationTests(ApiFixture api)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_bearer_key_and_a_bare_key_are_both_accepted()
    {
        var user = await api.CreateUserAsync();
        using var bare = api.CreateAnonymousClient();
        bare.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", user.Key);
        using var lowercase = api.CreateAnonymousClient();
        lowercase.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "bearer " + user.Key);

        using var viaBearer = await user.Client.GetAsync(Wire.Sessions, Token);
        using var viaBare = await bare.GetAsync(Wire.Sessions, Token);
        using var viaLowercase = await lowercase.GetAsync(Wire.Sessions, Token);

        Assert.Equal(HttpStatusCode.OK, viaBearer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, viaBare.StatusCode);
        Assert.Equal(HttpStatusCode.OK, viaLowercase.StatusCode);
    }

    public static TheoryData<string> BadCredentials => new()
    {
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer rt_0123456789abcdef_notTheRightSecretAtAllxxxxxxxxxxxxxxxxxxxxx",
        "rt_0123456789abcdef_notTheRightSecretAtAllxxxxxxxxxxxxxxxxxxxxx",
        "Bearer rt_short",
        "Bearer sk_live_something",
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
        "Bearer a b",
    };

    [Theory]
    [MemberData(nameof(BadCredentials))]
    public async Task Malformed_and_unknown_credentials_are_401_with_WWW_Authenticate(string header)
    {
        using var client = api.CreateAnonymousClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);

        using var response = await client.GetAsync(Wire.Sessions, Token);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task A_missing_credential_is_401_on_every_call()
    {
        using var client = api.CreateAnonymousClient();
        var id = Guid.CreateVersion7();

        foreach (var (method, url) in new[]
        {
            (HttpMethod.Get, Wire.Sessions), (HttpMethod.Post, Wire.Sessions), (HttpMethod.Get, $"{Wire.Sessions}/{id}"),
            (HttpMethod.Patch, $"{Wire.Sessions}/{id}"), (HttpMethod.Delete, $"{Wire.Sessions}/{id}"),
            (HttpMethod.Post, $"{Wire.Sessions}/{id}/events"), (HttpMethod.Get, $"{Wire.Sessions}/{id}/events/{id}"),
        })
        {
            using var response = await client.SendJsonAsync(method, url, method == HttpMethod.Get || method == HttpMethod.Delete ? null : "{}");
            await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.First().Scheme);
        }
    }

    [Fact]
    public async Task A_key_with_a_changed_character_is_401()
    {
        var user = await api.CreateUserAsync();
        var tampered = user.Key[..^1] + (user.Key[^1] == 'A' ? 'B' : 'A');
        using var client = api.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tampered);

        using var response = await client.GetAsync(Wire.Sessions, Token);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_revoked_key_fails_on_the_next_request()
    {
        var user = await api.CreateUserAsync();
        using var before = await user.Client.GetAsync(Wire.Sessions, Token);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await api.RevokeKeyAsync(user.KeyId);
        using var after = await user.Client.GetAsync(Wire.Sessions, Token);

        await after.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("revoked", (await after.ReadJsonAsync()).GetProperty("detail").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_keys_of_one_user_see_the_same_sessions()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var second = await api.CreateKeyAsync(user.UserId, user.OrganizationId, ["sessions:read"]);
        using var client = api.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", second.PlainText);

        using var response = await client.GetAsync($"{Wire.Sessions}/{id}", Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_write_only_key_cannot_read_and_a_read_only_key_cannot_write()
    {
        var writer = await api.CreateUserAsync("org", "sessions:write");
        var reader = await api.CreateUserAsync("org", "sessions:read");

        using var writerList = await writer.Client.GetAsync(Wire.Sessions, Token);
        using var writerCreate = await writer.Client.PostJsonAsync(Wire.Sessions, "{}");
        using var readerList = await reader.Client.GetAsync(Wire.Sessions, Token);
        using var readerCreate = await reader.Client.PostJsonAsync(Wire.Sessions, "{}");

        await writerList.AssertProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        Assert.Equal(HttpStatusCode.Created, writerCreate.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readerList.StatusCode);
        await readerCreate.AssertProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");

        // RFC 6750 §3.1: the 403 says why in WWW-Authenticate, and which scope the call needs.
        foreach (var (response, scope) in new[] { (writerList, "sessions:read"), (readerCreate, "sessions:write") })
        {
            var challenge = Assert.Single(response.Headers.WwwAuthenticate);
            Assert.Equal("Bearer", challenge.Scheme);
            Assert.Contains("error=\"insufficient_scope\"", challenge.Parameter, StringComparison.Ordinal);
            Assert.Contains($"scope=\"{scope}\"", challenge.Parameter, StringComparison.Ordinal);
        }
        Assert.Equal(0, (await readerList.ReadJsonAsync()).GetProperty("pagination").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Last_use_is_recorded_at_most_once_a_minute()
    {
        var user = await api.CreateUserAsync();
        Assert.Null(await LastUsedAsync(user));

        // Stored in the background, soon after the call (ApiKeyUseRecorder).
        using var first = await user.Client.GetAsync(Wire.Sessions, Token);
        var recorded = await LastUsedAsync(user, until: value => value is not null);
        api.Clock.Advance(TimeSpan.FromSeconds(30));
        using var second = await user.Client.GetAsync(Wire.Sessions, Token);
        var unchanged = await LastUsedAsync(user);
        api.Clock.Advance(TimeSpan.FromSeconds(31));
        using var third = await user.Client.GetAsync(Wire.Sessions, Token);
        var updated = await LastUsedAsync(user, until: value => value != recorded);

        Assert.NotNull(recorded);
        Assert.Equal(recorded, unchanged);
        Assert.Equal(recorded!.Value.AddSeconds(61), updated);
    }

    /// <summary>The key's lastUsedAt now or, with <paramref name="until"/>, once it holds (at most 10 s later).</summary>
    private async Task<DateTime?> LastUsedAsync(ApiUser user, Func<DateTime?, bool>? until = null)
    {
        for (var waited = 0; ; waited += 20)
        {
            await using var scope = api.Services.CreateAsyncScope();
            var value = (await scope.ServiceProvider.GetRequiredService<ISender>().Send(new ListApiKeys(user.UserId), Token)).Single().LastUsedAt;
            if (until is null || until(value) || waited >= 10_000)
            {
                return value;
            }

            await Task.Delay(20, Token);
        }
    }
}
