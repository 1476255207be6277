using Microsoft.AspNetCore.Http;
using Runtype.Domain.Webhooks;
using StandardWebhooks;

namespace Runtype.Api.Tests.Webhooks;

/// <summary>The service's Standard Webhooks signatures, checked against the StandardWebhooks package (the reference).</summary>
public sealed class WebhookSignatureTests
{
    private const string Body = """{"type":"webhook.test","timestamp":"2026-06-01T12:00:00.000Z","data":{"endpointId":"x"}}""";

    [Fact]
    public void A_signature_is_the_packages_signature_and_the_package_verifies_it()
    {
        var secret = WebhookSignature.NewSecret();
        var now = DateTimeOffset.UtcNow;
        var id = WebhookMessage.WireIdOf(Guid.CreateVersion7());

        var signature = WebhookSignature.Sign(secret, id, now.ToUnixTimeSeconds(), Body);

        Assert.Equal(new StandardWebhook(secret).Sign(id, now, Body), signature);
        new StandardWebhook(secret).Verify(Body, Headers(id, now, signature));
    }

    [Fact]
    public void The_header_carries_one_signature_per_secret_the_current_one_first()
    {
        var current = WebhookSignature.NewSecret();
        var previous = WebhookSignature.NewSecret();
        var now = DateTimeOffset.UtcNow;
        var id = WebhookMessage.WireIdOf(Guid.CreateVersion7());

        var header = WebhookSignature.Header([current, previous], id, now.ToUnixTimeSeconds(), Body);
        var parts = header.Split(' ');

        Assert.Equal(2, parts.Length);
        new StandardWebhook(current).Verify(Body, Headers(id, now, header));

        // StandardWebhooks 1.1.2 only ever matches the first signature of a header (its loop re-reads the whole header for
        // the last one), so the previous secret's signature is checked on its own.
        new StandardWebhook(previous).Verify(Body, Headers(id, now, parts[1]));
        Assert.Throws<StandardWebhooks.Diagnostics.WebhookVerificationException>(() => new StandardWebhook(WebhookSignature.NewSecret()).Verify(Body, Headers(id, now, header)));
        Assert.Throws<StandardWebhooks.Diagnostics.WebhookVerificationException>(() => new StandardWebhook(current).Verify(Body + " ", Headers(id, now, header)));
    }

    private static HeaderDictionary Headers(string id, DateTimeOffset at, string signature) => new()
    {
        ["webhook-id"] = id,
        ["webhook-timestamp"] = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["webhook-signature"] = signature,
    };
}
