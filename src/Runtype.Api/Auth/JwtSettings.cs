namespace Runtype.Api.Auth;

/// <summary>
/// Configuration <c>Authentication:Jwt:*</c> of Clerk-compatible session tokens. Enabled when an issuer and at
/// least one source of signing keys (a JWKS URL or PEM public keys) are configured.
/// </summary>
public sealed record JwtSettings(string? Issuer, Uri? JwksUrl, IReadOnlyList<string> SigningKeys, IReadOnlyList<string> AuthorizedParties)
{
    /// <summary>Tolerance on <c>exp</c> and <c>nbf</c> for clocks that disagree.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public bool Enabled => !string.IsNullOrWhiteSpace(Issuer) && (JwksUrl is not null || SigningKeys.Count > 0);

    public static JwtSettings Read(IConfiguration configuration)
    {
        var section = configuration.GetSection("Authentication:Jwt");
        var jwks = section["JwksUrl"];
        return new JwtSettings(
            section["Issuer"],
            string.IsNullOrWhiteSpace(jwks) ? null : new Uri(jwks, UriKind.Absolute),
            section.GetSection("SigningKeys").Get<string[]>() ?? [],
            section.GetSection("AuthorizedParties").Get<string[]>() ?? []);
    }
}
