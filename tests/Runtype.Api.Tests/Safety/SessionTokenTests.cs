using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Runtype.Api.Auth;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Safety;

/// <summary>
/// A service configured for Clerk-compatible session tokens: an RSA and an EC public key in configuration, and a
/// JWKS URL answered by a stub the tests can rotate. Keys are generated per run; nothing is a fixed secret.
/// </summary>
public sealed class SessionTokenApiFixture : SqliteApiFixture, IDisposable
{
    public const string Issuer = "https://clerk.runtype.test";
    public const string Party = "https://app.runtype.test";

    public RSA RsaKey { get; } = RSA.Create(2048);

    public ECDsa EcKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>Keys published at the JWKS URL, by key id.</summary>
    public Dictionary<string, RSA> Published { get; } = new() { ["jwks-1"] = RSA.Create(2048) };

    public int JwksFetches { get; private set; }

    protected override IReadOnlyDictionary<string, string?> FeatureSettings => new Dictionary<string, string?>
    {
        ["Authentication:Jwt:Issuer"] = Issuer,
        ["Authentication:Jwt:JwksUrl"] = Issuer + "/.well-known/jwks.json",
        ["Authentication:Jwt:SigningKeys:0"] = RsaKey.ExportSubjectPublicKeyInfoPem(),
        ["Authentication:Jwt:SigningKeys:1"] = EcKey.ExportSubjectPublicKeyInfoPem(),
        ["Authentication:Jwt:AuthorizedParties:0"] = Party,
    };

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddHttpClient(JwksCache.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new JwksEndpoint(this));

    public void Dispose()
    {
        RsaKey.Dispose();
        EcKey.Dispose();
        foreach (var key in Published.Values)
        {
            key.Dispose();
        }
    }

    /// <summary>Signs a token the way Clerk does, with times taken from the service's clock.</summary>
    public string Token(
        string subject = "user_jwt",
        string? organization = "org_jwt",
        SigningCredentials? credentials = null,
        string issuer = Issuer,
        string? party = Party,
        TimeSpan? expiresIn = null,
        TimeSpan? notBeforeIn = null)
    {
        var now = Clock.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>();
        if (subject.Length > 0)
        {
            claims["sub"] = subject;
        }

        if (organization is not null)
        {
            claims["org_id"] = organization;
        }

        if (party is not null)
        {
            claims["azp"] = party;
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now + (notBeforeIn ?? TimeSpan.FromSeconds(-5)),
            Expires = now + (expiresIn ?? TimeSpan.FromMinutes(1)),
            SigningCredentials = credentials ?? new SigningCredentials(new RsaSecurityKey(RsaKey), SecurityAlgorithms.RsaSha256),
        });
    }

    public HttpClient ClientWith(string token)
    {
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private sealed class JwksEndpoint(SessionTokenApiFixture fixture) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            fixture.JwksFetches++;
            var keys = fixture.Published.Select(p =>
            {
                var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(p.Value.ExportParameters(false)) { KeyId = p.Key });
                return $$"""{"kty":"RSA","use":"sig","alg":"RS256","kid":"{{p.Key}}","n":"{{jwk.N}}","e":"{{jwk.E}}"}""";
            });
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent($$"""{"keys":[{{string.Join(",", keys)}}]}""", Encoding.UTF8, "application/json"),
            });
        }
    }
}

/// <summary>JWT session tokens beside API keys (contract §2): a forged or expired token never gets in.</summary>
public sealed class SessionTokenTests(SessionTokenApiFixture api) : IClassFixture<SessionTokenApiFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_RS256_token_acts_for_its_subject_and_organization_with_both_scopes()
    {
        var subject = $"user_{Guid.NewGuid():N}";
        using var client = api.ClientWith(api.Token(subject, "org_9"));

        using var created = await client.PostJsonAsync(Wire.Sessions, "{}");
        using var listed = await client.GetAsync(Wire.Sessions, Token);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var session = await created.ReadJsonAsync();
        Assert.Equal(subject, session.GetProperty("userId").GetString());
        Assert.Equal("org_9", session.GetProperty("organizationId").GetString());
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(1, (await listed.ReadJsonAsync()).GetProperty("pagination").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_ES256_token_is_accepted_and_sees_the_sessions_its_user_made_with_an_API_key()
    {
        var subject = $"user_{Guid.NewGuid():N}";
        var key = await api.CreateKeyAsync(subject, null, ["sessions:read", "sessions:write"]);
        using var keyClient = api.ClientWith(key.PlainText);
        var id = (await keyClient.CreateSessionAsync()).Id();
        var es256 = new SigningCredentials(new ECDsaSecurityKey(api.EcKey), SecurityAlgorithms.EcdsaSha256);
        using var client = api.ClientWith(api.Token(subject, organization: null, credentials: es256));

        using var response = await client.GetAsync($"{Wire.Sessions}/{id}", Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_token_signed_by_a_JWKS_key_is_accepted_and_a_rotated_key_is_fetched_on_demand()
    {
        var first = new SigningCredentials(new RsaSecurityKey(api.Published["jwks-1"]) { KeyId = "jwks-1" }, SecurityAlgorithms.RsaSha256);
        using var before = api.ClientWith(api.Token(credentials: first));
        using var accepted = await before.GetAsync(Wire.Sessions, Token);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        var rotated = RSA.Create(2048);
        api.Published["jwks-2"] = rotated;
        api.Clock.Advance(TimeSpan.FromSeconds(31));
        var fetchesBefore = api.JwksFetches;
        var second = new SigningCredentials(new RsaSecurityKey(rotated) { KeyId = "jwks-2" }, SecurityAlgorithms.RsaSha256);
        using var after = api.ClientWith(api.Token(credentials: second));
        using var response = await after.GetAsync(Wire.Sessions, Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(fetchesBefore + 1, api.JwksFetches);
    }

    [Fact]
    public async Task Unknown_key_ids_do_not_make_the_service_fetch_the_JWKS_on_every_request()
    {
        using var stranger = RSA.Create(2048);
        var unknown = new SigningCredentials(new RsaSecurityKey(stranger) { KeyId = "nobody" }, SecurityAlgorithms.RsaSha256);
        using var warm = await api.ClientWith(api.Token()).GetAsync(Wire.Sessions, Token);
        api.Clock.Advance(TimeSpan.FromSeconds(31));
        var fetchesBefore = api.JwksFetches;

        for (var i = 0; i < 5; i++)
        {
            using var client = api.ClientWith(api.Token(credentials: unknown));
            using var response = await client.GetAsync(Wire.Sessions, Token);
            await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        }

        Assert.InRange(api.JwksFetches - fetchesBefore, 0, 1);
    }

    public static TheoryData<string> Forgeries => new() { "none", "hs256", "tampered", "issuer", "expired", "not-yet-valid", "no-sub", "azp", "no-azp", "unknown-key", "garbage" };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task Forged_expired_and_foreign_tokens_are_401(string forgery)
    {
        var token = forgery switch
        {
            "none" => Unsigned(api.Token()),
            "hs256" => api.Token(credentials: new SigningCredentials(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)), SecurityAlgorithms.HmacSha256)),
            "tampered" => Tampered(api.Token("user_victim")),
            "issuer" => api.Token(issuer: "https://evil.test"),
            "expired" => api.Token(expiresIn: TimeSpan.FromSeconds(-31)),
            "not-yet-valid" => api.Token(notBeforeIn: TimeSpan.FromMinutes(5)),
            "no-sub" => api.Token(subject: ""),
            "azp" => api.Token(party: "https://evil.test"),
            "no-azp" => api.Token(party: null),
            "unknown-key" => api.Token(credentials: new SigningCredentials(new RsaSecurityKey(RSA.Create(2048)), SecurityAlgorithms.RsaSha256)),
            _ => "aaa.bbb.ccc",
        };
        using var client = api.ClientWith(token);

        using var response = await client.GetAsync(Wire.Sessions, Token);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task A_token_expired_by_less_than_the_30_second_skew_is_still_accepted_and_after_it_is_not()
    {
        var token = api.Token(expiresIn: TimeSpan.FromSeconds(10));
        using var client = api.ClientWith(token);

        api.Clock.Advance(TimeSpan.FromSeconds(30));
        using var withinSkew = await client.GetAsync(Wire.Sessions, Token);
        api.Clock.Advance(TimeSpan.FromSeconds(15));
        using var beyond = await client.GetAsync(Wire.Sessions, Token);

        Assert.Equal(HttpStatusCode.OK, withinSkew.StatusCode);
        await beyond.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("expired", (await beyond.ReadJsonAsync()).GetProperty("detail").GetString()!, StringComparison.Ordinal);
    }

    /// <summary>Headers and claims that a correctly signed token may not carry, or not in that JSON type.</summary>
    public static TheoryData<string, string, string> StrictnessCases => new()
    {
        { "unknown crit extension", """{"alg":"RS256","typ":"JWT","crit":["exp-ext"],"exp-ext":1}""", "{}" },
        { "crit naming b64", """{"alg":"RS256","typ":"JWT","b64":false,"crit":["b64"]}""", "{}" },
        { "b64 false", """{"alg":"RS256","typ":"JWT","b64":false}""", "{}" },
        { "empty crit", """{"alg":"RS256","typ":"JWT","crit":[]}""", "{}" },
        { "exp as a string", Header, """{"exp":"{{exp}}"}""" },
        { "nbf as a string", Header, """{"nbf":"{{nbf}}"}""" },
        { "iat as a string", Header, """{"iat":"{{nbf}}"}""" },
        { "sub as a number", Header, """{"sub":12345}""" },
        { "sub as an object", Header, """{"sub":{"id":"user_jwt"}}""" },
        { "org_id as a number", Header, """{"org_id":7}""" },
        { "azp as an array", Header, """{"azp":["{{party}}"]}""" },
        { "aud as a number", Header, """{"aud":5}""" },
        { "sub twice", Header, """{"sub":"user_other"}""" },
        { "alg twice", """{"alg":"RS256","typ":"JWT","alg":"none"}""", "{}" },
    };

    private const string Header = """{"alg":"RS256","typ":"JWT"}""";

    [Fact]
    public async Task A_hand_made_token_with_standard_headers_and_claims_is_accepted()
    {
        // The control for the cases below: the same construction, nothing odd in it, gets in.
        using var client = api.ClientWith(HandMade(Header, "{}"));

        using var response = await client.GetAsync(Wire.Sessions, Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(StrictnessCases))]
    public async Task A_signed_token_with_an_unknown_critical_header_or_a_claim_of_the_wrong_type_is_401(string name, string header, string claims)
    {
        using var client = api.ClientWith(HandMade(header, claims));

        using var response = await client.GetAsync(Wire.Sessions, Token);

        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()), name);
    }

    [Fact]
    public async Task An_empty_org_id_is_no_organization()
    {
        using var client = api.ClientWith(HandMade(Header, """{"org_id":""}"""));

        var session = await client.CreateSessionAsync();

        Assert.Equal(System.Text.Json.JsonValueKind.Null, session.GetProperty("organizationId").ValueKind);
    }

    /// <summary>
    /// A token signed with the configured RSA key, its header and claims written by hand: the standard claims (sub,
    /// org_id, azp, iss, iat, nbf, exp) first, then <paramref name="claims"/>'s members, which replace a standard one of the
    /// same name (or repeat it, for "sub twice").
    /// </summary>
    private string HandMade(string header, string claims)
    {
        var now = api.Clock.GetUtcNow().ToUnixTimeSeconds();
        var standard = new Dictionary<string, string>
        {
            ["sub"] = "\"user_jwt_hand\"",
            ["org_id"] = "\"org_jwt\"",
            ["azp"] = $"\"{SessionTokenApiFixture.Party}\"",
            ["iss"] = $"\"{SessionTokenApiFixture.Issuer}\"",
            ["iat"] = (now - 5).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["nbf"] = (now - 5).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["exp"] = (now + 60).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var extra = System.Text.Json.JsonDocument.Parse(claims
            .Replace("{{exp}}", standard["exp"], StringComparison.Ordinal)
            .Replace("{{nbf}}", standard["nbf"], StringComparison.Ordinal)
            .Replace("{{party}}", SessionTokenApiFixture.Party, StringComparison.Ordinal)).RootElement;
        var members = standard.Where(p => !extra.TryGetProperty(p.Key, out _) || (p.Key == "sub" && claims.Contains("user_other", StringComparison.Ordinal)))
            .Select(p => $"\"{p.Key}\":{p.Value}")
            .Concat(extra.EnumerateObject().Select(p => $"\"{p.Name}\":{p.Value.GetRawText()}"));
        var input = $"{Base64UrlEncoder.Encode(header)}.{Base64UrlEncoder.Encode("{" + string.Join(",", members) + "}")}";
        var signature = api.RsaKey.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{input}.{Base64UrlEncoder.Encode(signature)}";
    }

    private static string Unsigned(string token)
    {
        var parts = token.Split('.');
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        return $"{header}.{parts[1]}.";
    }

    private static string Tampered(string token)
    {
        var parts = token.Split('.');
        var payload = Base64UrlEncoder.Decode(parts[1]).Replace("user_victim", "user_attack", StringComparison.Ordinal);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
    }
}
