using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Runtype.Api.Auth;

/// <summary>Who a valid session token acts for. Session tokens carry both scopes.</summary>
public sealed record SessionTokenIdentity(string UserId, string? OrganizationId);

/// <summary>
/// Validates Clerk-compatible session tokens: RS256 or ES256 signatures only (no <c>none</c>, no HMAC), by the
/// configured keys or the JWKS, the configured issuer, <c>exp</c> required and <c>nbf</c> honoured with 30 s of
/// skew on the service's clock, <c>azp</c> among the authorized parties when those are configured, and a
/// <c>sub</c>. <c>sub</c> is the user, <c>org_id</c> the organization. Strict beyond the signature: a header that
/// names a critical extension (<c>crit</c>, RFC 7515 §4.1.11: none is implemented here, so any is refused) or an
/// unencoded payload (<c>b64</c>, RFC 7797), a claim of the wrong JSON type (<c>exp</c> as a string, <c>sub</c> as a
/// number) and a header or claim given twice are refused too.
/// </summary>
public sealed class SessionTokenValidator(JwtSettings settings, JwksCache jwks, TimeProvider clock)
{
    private static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    /// <summary>The registered claims (RFC 7519 §4.1) and Clerk's, with the JSON type each must have when present.</summary>
    private static readonly Dictionary<string, JsonValueKind> ClaimTypes = new(StringComparer.Ordinal)
    {
        ["iss"] = JsonValueKind.String,
        ["sub"] = JsonValueKind.String,
        ["exp"] = JsonValueKind.Number,
        ["nbf"] = JsonValueKind.Number,
        ["iat"] = JsonValueKind.Number,
        ["jti"] = JsonValueKind.String,
        ["azp"] = JsonValueKind.String,
        ["sid"] = JsonValueKind.String,
        ["org_id"] = JsonValueKind.String,
    };

    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly IReadOnlyList<SecurityKey> _configuredKeys = [.. settings.SigningKeys.Select(ReadPublicKey)];

    public bool Enabled => settings.Enabled;

    /// <summary>The identity, or the reason the token is refused.</summary>
    public async Task<(SessionTokenIdentity? Identity, string? Failure)> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var result = await ValidateWithKeysAsync(token, refreshKeys: false, cancellationToken);
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException && settings.JwksUrl is not null)
        {
            // An unknown key id: the issuer may have rotated its keys.
            result = await ValidateWithKeysAsync(token, refreshKeys: true, cancellationToken);
        }

        if (!result.IsValid)
        {
            return (null, result.Exception switch
            {
                SecurityTokenExpiredException => "The session token has expired.",
                SecurityTokenNotYetValidException => "The session token is not valid yet.",
                SecurityTokenInvalidIssuerException => "The session token was not issued by the configured issuer.",
                _ => "The session token is not valid.",
            });
        }

        if (Malformed((JsonWebToken)result.SecurityToken) is { } malformed)
        {
            return (null, malformed);
        }

        var claims = result.ClaimsIdentity;
        var subject = claims.FindFirst("sub")?.Value;
        if (string.IsNullOrWhiteSpace(subject))
        {
            return (null, "The session token has no subject (sub).");
        }

        if (settings.AuthorizedParties.Count > 0 && !settings.AuthorizedParties.Contains(claims.FindFirst("azp")?.Value ?? string.Empty, StringComparer.Ordinal))
        {
            return (null, "The session token was issued for a party that is not authorized (azp).");
        }

        return (new SessionTokenIdentity(subject, claims.FindFirst("org_id")?.Value), null);
    }

    private async Task<TokenValidationResult> ValidateWithKeysAsync(string token, bool refreshKeys, CancellationToken cancellationToken)
    {
        IReadOnlyList<SecurityKey> published;
        try
        {
            published = await jwks.GetKeysAsync(refreshKeys, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            return new TokenValidationResult { IsValid = false, Exception = new SecurityTokenSignatureKeyNotFoundException("The JWKS could not be fetched.", ex) };
        }

        return await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidateIssuer = true,
            ValidateAudience = false,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = JwtSettings.ClockSkew,
            ValidAlgorithms = Algorithms,
            IssuerSigningKeys = [.. _configuredKeys, .. published],
            LifetimeValidator = ValidateLifetime,
        });
    }

    /// <summary>exp and nbf against the service's clock (so tests can move it), with the configured skew.</summary>
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (expires is null)
        {
            throw new SecurityTokenNoExpirationException("The session token has no expiry (exp).");
        }

        if (notBefore is { } start && start > now + parameters.ClockSkew)
        {
            throw new SecurityTokenNotYetValidException("The session token is not valid yet.") { NotBefore = start };
        }

        if (expires.Value < now - parameters.ClockSkew)
        {
            throw new SecurityTokenExpiredException("The session token has expired.") { Expires = expires.Value };
        }

        return true;
    }

    /// <summary>Why a correctly signed token is still refused: what the header or the claims say, or how they say it.</summary>
    private static string? Malformed(JsonWebToken token)
    {
        try
        {
            using var header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedHeader), Strict);
            if (header.RootElement.TryGetProperty("crit", out _))
            {
                return "The session token names critical header extensions (crit) that this service does not implement.";
            }

            if (header.RootElement.TryGetProperty("b64", out var b64) && b64.ValueKind != JsonValueKind.True)
            {
                return "The session token has an unencoded payload (b64), which this service does not accept.";
            }

            using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedPayload), Strict);
            foreach (var claim in payload.RootElement.EnumerateObject())
            {
                if (ClaimTypes.TryGetValue(claim.Name, out var kind) ? claim.Value.ValueKind != kind : claim.Name == "aud" && !IsAudience(claim.Value))
                {
                    return $"The session token's '{claim.Name}' claim has the wrong JSON type.";
                }
            }

            return null;
        }
        catch (JsonException)
        {
            return "The session token repeats a header or a claim.";
        }
    }

    /// <summary><c>aud</c>: a string or an array of strings (RFC 7519 §4.1.3).</summary>
    private static bool IsAudience(JsonElement value) =>
        value.ValueKind == JsonValueKind.String
        || (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(a => a.ValueKind == JsonValueKind.String));

    /// <summary>A PEM public key (RSA or EC), e.g. Clerk's "JWT public key".</summary>
    private static SecurityKey ReadPublicKey(string pem)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
        }

        var ec = ECDsa.Create();
        ec.ImportFromPem(pem);
        return new ECDsaSecurityKey(ec);
    }
}
