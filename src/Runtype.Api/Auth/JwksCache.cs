using Microsoft.IdentityModel.Tokens;

namespace Runtype.Api.Auth;

/// <summary>
/// The signing keys published at <see cref="JwtSettings.JwksUrl"/>: fetched on first use, kept for an hour, and
/// fetched again when a token names a key id we do not know (key rotation) — at most once per
/// <see cref="MinimumRefreshGap"/>, so tokens with random key ids cannot make us hammer the issuer.
/// </summary>
public sealed class JwksCache(IHttpClientFactory httpClients, JwtSettings settings, TimeProvider clock) : IDisposable
{
    public const string HttpClientName = "jwks";
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromHours(1);
    public static readonly TimeSpan MinimumRefreshGap = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyList<SecurityKey> _keys = [];
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;

    public async Task<IReadOnlyList<SecurityKey>> GetKeysAsync(bool refresh, CancellationToken cancellationToken)
    {
        if (settings.JwksUrl is null)
        {
            return [];
        }

        if (!refresh && clock.GetUtcNow() - _fetchedAt < RefreshInterval)
        {
            return _keys;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var age = clock.GetUtcNow() - _fetchedAt;
            if (age < (refresh ? MinimumRefreshGap : RefreshInterval))
            {
                return _keys;
            }

            var json = await httpClients.CreateClient(HttpClientName).GetStringAsync(settings.JwksUrl, cancellationToken);
            _keys = [.. new JsonWebKeySet(json).GetSigningKeys()];
            _fetchedAt = clock.GetUtcNow();
            return _keys;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
