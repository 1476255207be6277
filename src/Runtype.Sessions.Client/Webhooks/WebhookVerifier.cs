using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Runtype.Sessions.Client.Webhooks;

/// <summary>
/// Verifies the Standard Webhooks signature of a webhook the API delivered: <c>webhook-signature</c> holds one or
/// more space-separated <c>v1,&lt;base64 HMAC-SHA256&gt;</c> over <c>"{webhook-id}.{webhook-timestamp}.{body}"</c>, keyed
/// with the base64-decoded part of the endpoint's <c>whsec_</c> secret; <c>webhook-timestamp</c> (unix seconds) must
/// be within the tolerance of now, so a captured delivery cannot be replayed later. Drop deliveries whose
/// <c>webhook-id</c> you have seen: delivery is at least once.
/// </summary>
public sealed class WebhookVerifier
{
    /// <summary>The header with the message id (<c>msg_…</c>; the same on every retry).</summary>
    public const string IdHeader = "webhook-id";

    /// <summary>The header with the attempt's time, in unix seconds.</summary>
    public const string TimestampHeader = "webhook-timestamp";

    /// <summary>The header with the signatures.</summary>
    public const string SignatureHeader = "webhook-signature";

    private const string SecretPrefix = "whsec_";
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private readonly byte[] _key;
    private readonly TimeSpan _tolerance;
    private readonly TimeProvider _time;

    /// <summary>A verifier for one endpoint's secret.</summary>
    /// <param name="secret">The endpoint's secret, <c>whsec_</c> + base64 (as the API returned it at creation or rotation).</param>
    /// <param name="tolerance">How far <c>webhook-timestamp</c> may be from now, either way (default 5 minutes).</param>
    /// <param name="time">The clock (default the system's).</param>
    public WebhookVerifier(string secret, TimeSpan? tolerance = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(secret);
        try
        {
            _key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        }
        catch (FormatException e)
        {
            throw new ArgumentException("The secret is not whsec_ followed by base64.", nameof(secret), e);
        }

        _tolerance = tolerance ?? TimeSpan.FromMinutes(5);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Throws <see cref="WebhookVerificationException"/> unless the delivery is signed with this secret and timely.</summary>
    /// <param name="body">The request body exactly as received (its bytes).</param>
    /// <param name="webhookId">The <c>webhook-id</c> header.</param>
    /// <param name="webhookTimestamp">The <c>webhook-timestamp</c> header.</param>
    /// <param name="webhookSignature">The <c>webhook-signature</c> header.</param>
    public void Verify(ReadOnlySpan<byte> body, string? webhookId, string? webhookTimestamp, string? webhookSignature)
    {
        if (string.IsNullOrEmpty(webhookId) || string.IsNullOrEmpty(webhookTimestamp) || string.IsNullOrEmpty(webhookSignature))
        {
            throw new WebhookVerificationException($"The {IdHeader}, {TimestampHeader} and {SignatureHeader} headers are required.");
        }

        if (!long.TryParse(webhookTimestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            throw new WebhookVerificationException($"{TimestampHeader} is not unix seconds.");
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - seconds) > _tolerance.TotalSeconds)
        {
            throw new WebhookVerificationException($"{TimestampHeader} is more than {_tolerance.TotalSeconds:0} s from now.");
        }

        var expected = Hmac(webhookId, webhookTimestamp, body);
        Span<byte> given = stackalloc byte[64];
        foreach (var signature in webhookSignature.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var comma = signature.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0 || !signature.AsSpan(0, comma).SequenceEqual("v1"))
            {
                continue; // another scheme version
            }

            if (Convert.TryFromBase64String(signature[(comma + 1)..], given, out var length)
                && CryptographicOperations.FixedTimeEquals(given[..length], expected))
            {
                return;
            }
        }

        throw new WebhookVerificationException("No v1 signature matches this secret.");
    }

    /// <summary>Throws <see cref="WebhookVerificationException"/> unless the delivery is signed with this secret and timely.</summary>
    /// <param name="body">The request body exactly as received.</param>
    /// <param name="webhookId">The <c>webhook-id</c> header.</param>
    /// <param name="webhookTimestamp">The <c>webhook-timestamp</c> header.</param>
    /// <param name="webhookSignature">The <c>webhook-signature</c> header.</param>
    public void Verify(string body, string? webhookId, string? webhookTimestamp, string? webhookSignature)
    {
        ArgumentNullException.ThrowIfNull(body);
        Verify(StrictUtf8.GetBytes(body), webhookId, webhookTimestamp, webhookSignature);
    }

    /// <summary>True when <see cref="Verify(ReadOnlySpan{byte}, string?, string?, string?)"/> would not throw.</summary>
    /// <param name="body">The request body exactly as received.</param>
    /// <param name="webhookId">The <c>webhook-id</c> header.</param>
    /// <param name="webhookTimestamp">The <c>webhook-timestamp</c> header.</param>
    /// <param name="webhookSignature">The <c>webhook-signature</c> header.</param>
    /// <returns>Whether the delivery is authentic and timely.</returns>
    public bool IsValid(ReadOnlySpan<byte> body, string? webhookId, string? webhookTimestamp, string? webhookSignature)
    {
        try
        {
            Verify(body, webhookId, webhookTimestamp, webhookSignature);
            return true;
        }
        catch (WebhookVerificationException)
        {
            return false;
        }
    }

    /// <summary>The <c>webhook-signature</c> value (<c>v1,&lt;base64&gt;</c>) for a message: for a receiver's own tests.</summary>
    /// <param name="webhookId">The message id.</param>
    /// <param name="timestamp">The attempt's time.</param>
    /// <param name="body">The body.</param>
    /// <returns>The signature header value.</returns>
    public string Sign(string webhookId, DateTimeOffset timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var seconds = timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return "v1," + Convert.ToBase64String(Hmac(webhookId, seconds, StrictUtf8.GetBytes(body)));
    }

    private byte[] Hmac(string id, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return HMACSHA256.HashData(_key, content);
    }
}

/// <summary>A webhook delivery whose signature or timestamp does not verify: do not act on it.</summary>
public sealed class WebhookVerificationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Why the delivery did not verify.</param>
    public WebhookVerificationException(string message)
        : base(message)
    {
    }
}
