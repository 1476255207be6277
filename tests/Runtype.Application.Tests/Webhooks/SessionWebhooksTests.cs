using System.Text.Json;
using NSubstitute;
using Runtype.Application.Webhooks;
using Runtype.Domain.Sessions;
using Runtype.Domain.Webhooks;
using static Runtype.Application.Tests.TestData;

namespace Runtype.Application.Tests.Webhooks;

/// <summary>Which messages a change of a session writes into the outbox, and for whom.</summary>
public sealed class SessionWebhooksTests
{
    private readonly IWebhookDeliveryRepository _deliveries = Substitute.For<IWebhookDeliveryRepository>();
    private readonly List<WebhookMessage> _messages = [];
    private readonly List<WebhookDelivery> _added = [];
    private readonly WebhookDispatchRequest _dispatch = new();
    private readonly Guid _all = Guid.CreateVersion7();
    private readonly Guid _completedOnly = Guid.CreateVersion7();

    public SessionWebhooksTests()
    {
        _deliveries.SubscribersAsync(Owner.UserId, Arg.Any<CancellationToken>()).Returns(Task.FromResult<IReadOnlyList<WebhookSubscriber>>(
            [new WebhookSubscriber(_all, ""), new WebhookSubscriber(_completedOnly, WebhookEventTypes.SessionCompleted)]));
        _deliveries.SubscribersAsync(Stranger.UserId, Arg.Any<CancellationToken>()).Returns(Task.FromResult<IReadOnlyList<WebhookSubscriber>>([]));
        _deliveries.When(d => d.Add(Arg.Any<WebhookMessage>())).Do(c => _messages.Add(c.Arg<WebhookMessage>()));
        _deliveries.When(d => d.Add(Arg.Any<WebhookDelivery>())).Do(c => _added.Add(c.Arg<WebhookDelivery>()));
    }

    private SessionWebhooks Webhooks => new(Outbox(_deliveries, _dispatch));

    [Fact]
    public async Task A_completion_writes_status_changed_and_completed_with_a_delivery_per_subscriber()
    {
        var session = SessionIn(SessionStatus.Assembling);
        var loaded = Reload(session);
        loaded.Update(new SessionUpdate(Status: SessionStatus.Completed), Now);

        await Webhooks.ChangedAsync(loaded, Now, Ct);

        Assert.Equal([WebhookEventTypes.SessionStatusChanged, WebhookEventTypes.SessionCompleted], _messages.Select(m => m.EventType));
        var changed = JsonDocument.Parse(_messages[0].Body).RootElement;
        Assert.Equal(["type", "timestamp", "data"], changed.EnumerateObject().Select(p => p.Name));
        Assert.Equal("assembling", changed.GetProperty("data").GetProperty("from").GetString());
        Assert.Equal("completed", changed.GetProperty("data").GetProperty("to").GetString());
        Assert.Equal("completed", changed.GetProperty("data").GetProperty("session").GetProperty("status").GetString());
        Assert.Equal([_all, _all, _completedOnly], _added.Select(d => d.EndpointId));
        Assert.Equal(_messages[1].Id, _added[2].MessageId);
        Assert.All(_added, d => Assert.Equal(Ms(Now), d.NextAttemptAt));
        Assert.True(_dispatch.Requested);
    }

    [Fact]
    public async Task A_clients_event_writes_event_appended_and_nothing_is_written_for_a_user_without_endpoints()
    {
        var session = Reload(SessionIn(SessionStatus.Planning));
        var appended = session.AppendEvent("progress", "plan", null, """{"n":1}""", Now);
        var strangers = Session.Start(Stranger.UserId, null, null, null, null, Now, TimeToLive);

        await Webhooks.ChangedAsync(session, Now, Ct);
        await Webhooks.CreatedAsync(strangers, Now, Ct);

        var message = Assert.Single(_messages);
        Assert.Equal(WebhookEventTypes.SessionEventAppended, message.EventType);
        Assert.Equal(appended.Id.ToString(), JsonDocument.Parse(message.Body).RootElement.GetProperty("data").GetProperty("event").GetProperty("id").GetString());
        Assert.Equal([_all], _added.Select(d => d.EndpointId));
    }

    [Fact]
    public async Task An_update_without_a_status_change_or_event_writes_nothing()
    {
        var session = Reload(SessionIn(SessionStatus.Planning));
        session.Update(new SessionUpdate(Plan: """{"steps":1}"""), Now);

        await Webhooks.ChangedAsync(session, Now, Ct);

        Assert.Empty(_messages);
        Assert.False(_dispatch.Requested);
    }

    [Fact]
    public async Task A_deletion_writes_the_id_and_owner()
    {
        var session = SessionIn();

        await Webhooks.DeletedAsync(session, Now, Ct);

        var message = Assert.Single(_messages);
        Assert.Equal(WebhookEventTypes.SessionDeleted, message.EventType);
        Assert.Equal($$"""{"id":"{{session.Id}}","userId":"{{Owner.UserId}}"}""", JsonDocument.Parse(message.Body).RootElement.GetProperty("data").GetRawText());
    }

    /// <summary>The session as a repository would load it: without the events its earlier changes appended.</summary>
    private static Session Reload(Session session)
    {
        var loaded = (Session)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(typeof(Session));
        foreach (var property in typeof(Session).GetProperties().Where(p => p.CanWrite))
        {
            property.SetValue(loaded, property.GetValue(session));
        }

        typeof(Session).GetField("_newEvents", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.SetValue(loaded, new List<SessionEvent>());
        return loaded;
    }
}
