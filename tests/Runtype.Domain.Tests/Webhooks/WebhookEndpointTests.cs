using Runtype.Domain.Webhooks;

namespace Runtype.Domain.Tests.Webhooks;

public sealed class WebhookEndpointTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan FiveDays = TimeSpan.FromDays(5);

    [Fact]
    public void A_new_endpoint_is_enabled_with_a_fresh_secret_of_32_bytes()
    {
        var endpoint = Create();
        var other = Create();

        Assert.True(endpoint.Enabled);
        Assert.StartsWith("whsec_", endpoint.Secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(endpoint.Secret[6..]).Length);
        Assert.NotEqual(endpoint.Secret, other.Secret);
        Assert.Equal([endpoint.Secret], endpoint.SigningSecrets(Now));
    }

    [Fact]
    public void No_event_types_subscribes_to_all_of_them()
    {
        var all = Create();
        var some = WebhookEndpoint.Create("user_1", "https://example.com/h", [WebhookEventTypes.SessionCompleted], null, Now);

        Assert.All(WebhookEventTypes.All, type => Assert.True(all.Subscribes(type)));
        Assert.True(some.Subscribes(WebhookEventTypes.SessionCompleted));
        Assert.False(some.Subscribes(WebhookEventTypes.SessionCreated));
        Assert.False(some.Subscribes("session.complete"));
    }

    [Fact]
    public void A_rotated_secret_signs_beside_the_new_one_for_24_hours()
    {
        var endpoint = Create();
        var old = endpoint.Secret;

        var current = endpoint.RotateSecret(Now);

        Assert.NotEqual(old, current);
        Assert.Equal([current, old], endpoint.SigningSecrets(Now.AddHours(24).AddMilliseconds(-1)));
        Assert.Equal([current], endpoint.SigningSecrets(Now.AddHours(24)));
    }

    [Fact]
    public void Nothing_but_failures_for_DisableAfter_disables_it_and_a_success_resets_the_clock()
    {
        var endpoint = Create();

        Assert.False(endpoint.RecordFailure(Now, FiveDays));
        Assert.False(endpoint.RecordFailure(Now.AddDays(4), FiveDays));
        endpoint.RecordSuccess();
        Assert.False(endpoint.RecordFailure(Now.AddDays(5), FiveDays));
        Assert.True(endpoint.Enabled);

        Assert.True(endpoint.RecordFailure(Now.AddDays(10), FiveDays));
        Assert.False(endpoint.Enabled);
        Assert.Contains("failed", endpoint.DisabledReason, StringComparison.Ordinal);
        Assert.False(endpoint.RecordFailure(Now.AddDays(11), FiveDays));
    }

    [Fact]
    public void A_410_disables_it_at_once_and_enabling_clears_the_failure_state()
    {
        var endpoint = Create();
        endpoint.RecordFailure(Now, FiveDays);

        Assert.True(endpoint.RecordGone(Now));
        Assert.False(endpoint.Enabled);
        Assert.Contains("410", endpoint.DisabledReason, StringComparison.Ordinal);

        endpoint.Update(new WebhookEndpointUpdate(Enabled: true), Now.AddMinutes(1));
        Assert.True(endpoint.Enabled);
        Assert.Null(endpoint.DisabledReason);
        Assert.Null(endpoint.FailingSince);
    }

    [Fact]
    public void An_update_changes_what_it_names_and_reports_a_disable()
    {
        var endpoint = Create();
        var version = endpoint.Version;

        var disabled = endpoint.Update(
            new WebhookEndpointUpdate(Url: "https://example.com/v2", EventTypes: new List<string> { WebhookEventTypes.SessionDeleted }, Enabled: false), Now.AddMinutes(1));

        Assert.True(disabled);
        Assert.Equal("https://example.com/v2", endpoint.Url);
        Assert.Equal([WebhookEventTypes.SessionDeleted], endpoint.EventTypeList);
        Assert.Equal("desc", endpoint.Description);
        Assert.Null(endpoint.DisabledReason);
        Assert.True(endpoint.Version > version);
        Assert.Equal(Now.UtcDateTime.AddMinutes(1), endpoint.UpdatedAt);
        Assert.False(endpoint.Update(new WebhookEndpointUpdate(Description: "desc"), Now.AddMinutes(2)));
        Assert.Equal(Now.UtcDateTime.AddMinutes(1), endpoint.UpdatedAt);
    }

    private static WebhookEndpoint Create() => WebhookEndpoint.Create("user_1", "https://example.com/h", null, "desc", Now);
}
