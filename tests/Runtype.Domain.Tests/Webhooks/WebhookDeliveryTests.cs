using Runtype.Domain.Webhooks;

namespace Runtype.Domain.Tests.Webhooks;

public sealed class WebhookDeliveryTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(25);
    private static readonly TimeSpan[] Schedule = [TimeSpan.Zero, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5)];

    [Fact]
    public void A_new_delivery_is_pending_and_due_after_the_first_delay()
    {
        var delivery = WebhookDelivery.Create(Guid.NewGuid(), Guid.NewGuid(), Now, TimeSpan.FromSeconds(3));

        Assert.Equal(WebhookDeliveryStatus.Pending, delivery.Status);
        Assert.Equal(0, delivery.Attempts);
        Assert.Equal(Now.UtcDateTime.AddSeconds(3), delivery.NextAttemptAt);
        Assert.Null(delivery.LeaseToken);
        Assert.False(delivery.IsInFlight(Now));
    }

    [Fact]
    public void A_lease_starts_an_attempt_and_moves_the_due_time_to_its_end()
    {
        var delivery = WebhookDelivery.Create(Guid.NewGuid(), Guid.NewGuid(), Now, TimeSpan.Zero);

        var token = delivery.Lease(Now, Lease);

        Assert.Equal(token, delivery.LeaseToken);
        Assert.Equal(1, delivery.Attempts);
        Assert.Equal(Now.UtcDateTime, delivery.LastAttemptAt);
        Assert.Equal(Now.UtcDateTime + Lease, delivery.NextAttemptAt);
        Assert.True(delivery.IsInFlight(Now + Lease - TimeSpan.FromMilliseconds(1)));
        Assert.False(delivery.IsInFlight(Now + Lease));
        Assert.Throws<InvalidOperationException>(() => delivery.Lease(Now, Lease));

        // A dispatcher that died mid-attempt: once the lease ends, another may take it.
        var second = delivery.Lease(Now + Lease, Lease);
        Assert.NotEqual(token, second);
        Assert.Equal(2, delivery.Attempts);
    }

    [Fact]
    public void Failures_follow_the_schedule_then_fail_the_delivery()
    {
        var delivery = WebhookDelivery.Create(Guid.NewGuid(), Guid.NewGuid(), Now, TimeSpan.Zero);

        delivery.Lease(Now, Lease);
        delivery.Fail(500, Now, Schedule, retryAfter: null);
        Assert.Equal(WebhookDeliveryStatus.Pending, delivery.Status);
        Assert.Equal(Now.UtcDateTime.AddSeconds(5), delivery.NextAttemptAt);
        Assert.Null(delivery.LeaseToken);

        delivery.Lease(Now.AddSeconds(5), Lease);
        delivery.Fail(null, Now.AddSeconds(5), Schedule, retryAfter: null);
        Assert.Equal(Now.UtcDateTime.AddSeconds(5).AddMinutes(5), delivery.NextAttemptAt);
        Assert.Null(delivery.LastResponseStatus);

        delivery.Lease(Now.AddMinutes(6), Lease);
        delivery.Fail(502, Now.AddMinutes(6), Schedule, retryAfter: null);
        Assert.Equal(WebhookDeliveryStatus.Failed, delivery.Status);
        Assert.Null(delivery.NextAttemptAt);
        Assert.Equal(502, delivery.LastResponseStatus);
        Assert.Equal(3, delivery.Attempts);
    }

    [Fact]
    public void Retry_After_replaces_the_schedules_delay()
    {
        var delivery = WebhookDelivery.Create(Guid.NewGuid(), Guid.NewGuid(), Now, TimeSpan.Zero);
        delivery.Lease(Now, Lease);

        delivery.Fail(429, Now, Schedule, TimeSpan.FromMinutes(2));

        Assert.Equal(Now.UtcDateTime.AddMinutes(2), delivery.NextAttemptAt);
    }

    [Fact]
    public void Success_and_abandon_end_the_delivery()
    {
        var succeeded = WebhookDelivery.Create(Guid.NewGuid(), Guid.NewGuid(), Now, TimeSpan.Zero);
        succeeded.Lease(Now, Lease);
        succeeded.Succeed(204);
        var gone = WebhookDelivery.Create(Guid.NewGuid(), Guid.NewGuid(), Now, TimeSpan.Zero);
        gone.Lease(Now, Lease);
        gone.Abandon(410);

        Assert.Equal((WebhookDeliveryStatus.Succeeded, 204, (DateTime?)null, (Guid?)null), (succeeded.Status, succeeded.LastResponseStatus, succeeded.NextAttemptAt, succeeded.LeaseToken));
        Assert.Equal((WebhookDeliveryStatus.Failed, 410, (DateTime?)null, (Guid?)null), (gone.Status, gone.LastResponseStatus, gone.NextAttemptAt, gone.LeaseToken));
    }

    [Fact]
    public void A_manual_retry_makes_any_delivery_due_now_but_not_one_in_flight()
    {
        var delivery = WebhookDelivery.Create(Guid.NewGuid(), Guid.NewGuid(), Now, TimeSpan.Zero);
        delivery.Lease(Now, Lease);

        var refused = Assert.Throws<WebhookDeliveryInProgress>(() => delivery.Retry(Now.AddSeconds(1)));
        Assert.Contains(delivery.Id.ToString(), refused.Message, StringComparison.Ordinal);

        delivery.Abandon(500);
        delivery.Retry(Now.AddSeconds(2));
        Assert.Equal(WebhookDeliveryStatus.Pending, delivery.Status);
        Assert.Equal(Now.UtcDateTime.AddSeconds(2), delivery.NextAttemptAt);
        Assert.False(delivery.IsInFlight(Now.AddSeconds(2)));
    }
}
