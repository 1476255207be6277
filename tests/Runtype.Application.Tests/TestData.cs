using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using Runtype.Application.Common;
using Runtype.Application.Webhooks;
using Runtype.Domain.ApiKeys;
using Runtype.Domain.Sessions;

namespace Runtype.Application.Tests;

internal static class TestData
{
    /// <summary>Now, with sub-millisecond ticks so that truncation is observable.</summary>
    public static readonly DateTimeOffset Now = new DateTimeOffset(2026, 3, 1, 10, 0, 0, 123, TimeSpan.Zero).AddTicks(4567);

    public static readonly TimeSpan TimeToLive = TimeSpan.FromDays(30);

    public static readonly Caller Owner = new("user_owner", "org_owner");

    public static readonly Caller Stranger = new("user_stranger", "org_owner");

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static FakeTimeProvider Clock(DateTimeOffset? now = null) => new(now ?? Now);

    public static readonly ResponseJson ResponseJson = new(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>The session handlers' outbox over <paramref name="deliveries"/> (by default one where the user has no endpoint).</summary>
    public static SessionWebhooks NoWebhooks(IWebhookDeliveryRepository? deliveries = null) =>
        new(Outbox(deliveries ?? NoEndpoints()));

    public static WebhookOutbox Outbox(IWebhookDeliveryRepository deliveries, WebhookDispatchRequest? dispatch = null) =>
        new(deliveries, WebhookSettings.Default, ResponseJson, dispatch ?? new WebhookDispatchRequest());

    public static IWebhookDeliveryRepository NoEndpoints()
    {
        var deliveries = Substitute.For<IWebhookDeliveryRepository>();
        deliveries.SubscribersAsync(default!, default).ReturnsForAnyArgs(Task.FromResult<IReadOnlyList<WebhookSubscriber>>([]));
        return deliveries;
    }

    /// <summary>The UTC millisecond timestamp the domain keeps for <paramref name="value"/>.</summary>
    public static DateTime Ms(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);

    public static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>A session of <see cref="Owner"/>, started at <see cref="Now"/> minus one hour and walked to <paramref name="status"/>.</summary>
    public static Session SessionIn(SessionStatus status = SessionStatus.Intake)
    {
        var start = Now.AddHours(-1);
        var session = Session.Start(Owner.UserId, Owner.OrganizationId, "2024-06", "v3", """{"goal":"a shop"}""", start, TimeToLive);
        SessionStatus[] walk = status switch
        {
            SessionStatus.Intake => [],
            SessionStatus.Planning => [SessionStatus.Planning],
            SessionStatus.Generating => [SessionStatus.Generating],
            SessionStatus.Assembling => [SessionStatus.Generating, SessionStatus.Assembling],
            SessionStatus.Completed => [SessionStatus.Generating, SessionStatus.Assembling, SessionStatus.Completed],
            SessionStatus.Failed => [SessionStatus.Failed],
            SessionStatus.Cancelled => [SessionStatus.Cancelled],
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "walk to expired with Session.Expire"),
        };
        var minutes = 0;
        foreach (var next in walk)
        {
            session.Update(new SessionUpdate(Status: next), start.AddMinutes(++minutes));
        }

        return session;
    }

    public static (ApiKey Key, string PlainText) IssueKey(DateTimeOffset? issuedAt = null) =>
        ApiKey.Issue(Owner.UserId, Owner.OrganizationId, "laptop", [ApiKeyScopes.SessionsRead, ApiKeyScopes.SessionsWrite], issuedAt ?? Now.AddDays(-1));

    /// <summary>Sets lastUsedAt as EF Core does when it loads a key (the setter is private).</summary>
    public static void SetLastUsedAt(ApiKey key, DateTime? lastUsedAt) =>
        typeof(ApiKey).GetProperty(nameof(ApiKey.LastUsedAt))!.SetValue(key, lastUsedAt);
}
