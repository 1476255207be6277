using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Runtype.Domain.Webhooks;

/// <summary>
/// Standard Webhooks v1 secrets and signatures: a secret is <c>whsec_</c> + the base64 of 32 random bytes; a signature
/// is <c>v1,</c> + the base64 HMAC-SHA256, keyed with the decoded secret, of <c>{msgId}.{timestamp}.{body}</c>.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";
    public const string Version = "v1";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(WebhookLimits.SecretBytes));

    /// <summary>The <c>v1,</c> signature of one attempt.</summary>
    public static string Sign(string secret, string messageId, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        var signed = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{messageId}.{timestamp}.{body}"));
        return $"{Version},{Convert.ToBase64String(HMACSHA256.HashData(key, signed))}";
    }

    /// <summary>The <c>webhook-signature</c> header: one signature per secret, space-separated, the current secret's first.</summary>
    public static string Header(IReadOnlyList<string> secrets, string messageId, long timestamp, string body) =>
        string.Join(' ', secrets.Select(secret => Sign(secret, messageId, timestamp, body)));
}
