using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Runtype.Sessions.Client.Webhooks;
using StandardWebhooks;

namespace Runtype.Api.Tests.Client;

/// <summary>The client's webhook verifier against the reference implementation (the StandardWebhooks package).</summary>
public sealed class WebhookVerifierTests
{
    private const string Body = """{"type":"session.created","timestamp":"2026-12-01T10:00:00.000Z","data":{"session":{"id":"x","prd":{"title":"Süpport"}}}}""";
    private const string MessageId = "msg_0195f3c4-1111-7aaa-8bbb-000000000001";

    private static readonly string Secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public void A_signature_made_by_the_reference_implementation_verifies()
    {
        var signature = new StandardWebhook(Secret).Sign(MessageId, Now, Body);

        Verifier().Verify(Encoding.UTF8.GetBytes(Body), MessageId, Seconds(Now), signature);
        Verifier().Verify(Body, MessageId, Seconds(Now), signature);
    }

    [Fact]
    public void A_signature_made_by_the_client_verifies_with_the_reference_implementation()
    {
        var headers = new HeaderDictionary
        {
            ["webhook-id"] = MessageId,
            ["webhook-timestamp"] = Seconds(Now),
            ["webhook-signature"] = Verifier().Sign(MessageId, Now, Body),
        };

        new StandardWebhook(Secret).Verify(Body, headers);
    }

    [Fact]
    public void Any_of_several_signatures_may_match_as_while_a_rotated_secret_is_still_valid()
    {
        var previous = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var both = $"{new StandardWebhook(previous).Sign(MessageId, Now, Body)} {new StandardWebhook(Secret).Sign(MessageId, Now, Body)}";

        Verifier().Verify(Body, MessageId, Seconds(Now), both);
        new WebhookVerifier(previous, time: Clock()).Verify(Body, MessageId, Seconds(Now), both);
    }

    [Theory]
    [InlineData("body")]
    [InlineData("id")]
    [InlineData("timestamp")]
    [InlineData("secret")]
    [InlineData("old")]
    [InlineData("future")]
    [InlineData("missing")]
    [InlineData("version")]
    public void A_delivery_that_was_changed_forged_or_replayed_late_is_refused(string fault)
    {
        var signature = new StandardWebhook(Secret).Sign(MessageId, Now, Body);
        var (body, id, timestamp, header, verifier) = fault switch
        {
            "body" => (Body.Replace("Süpport", "Support", StringComparison.Ordinal), MessageId, Seconds(Now), signature, Verifier()),
            "id" => (Body, MessageId + "2", Seconds(Now), signature, Verifier()),
            "timestamp" => (Body, MessageId, Seconds(Now.AddSeconds(1)), signature, Verifier()),
            "secret" => (Body, MessageId, Seconds(Now), signature, new WebhookVerifier("whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), time: Clock())),
            "old" => (Body, MessageId, Seconds(Now.AddMinutes(-6)), new StandardWebhook(Secret).Sign(MessageId, Now.AddMinutes(-6), Body), Verifier()),
            "future" => (Body, MessageId, Seconds(Now.AddMinutes(6)), new StandardWebhook(Secret).Sign(MessageId, Now.AddMinutes(6), Body), Verifier()),
            "missing" => (Body, MessageId, Seconds(Now), string.Empty, Verifier()),
            _ => (Body, MessageId, Seconds(Now), "v2," + signature[3..], Verifier()),
        };

        Assert.Throws<WebhookVerificationException>(() => verifier.Verify(body, id, timestamp, header));
        Assert.False(verifier.IsValid(Encoding.UTF8.GetBytes(body), id, timestamp, header));
        if (fault is not "missing" and not "secret")
        {
            var headers = new HeaderDictionary { ["webhook-id"] = id, ["webhook-timestamp"] = timestamp, ["webhook-signature"] = header };
            Assert.ThrowsAny<Exception>(() => new StandardWebhook(Secret).Verify(body, headers)); // the reference refuses it too
        }
    }

    [Fact]
    public void The_tolerance_is_configurable()
    {
        var old = Now.AddMinutes(-6);
        var signature = new StandardWebhook(Secret).Sign(MessageId, old, Body);

        new WebhookVerifier(Secret, TimeSpan.FromMinutes(10), Clock()).Verify(Body, MessageId, Seconds(old), signature);
    }

    private static WebhookVerifier Verifier() => new(Secret, time: Clock());

    private static FakeTimeProvider Clock() => new(Now);

    private static string Seconds(DateTimeOffset time) => time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}
