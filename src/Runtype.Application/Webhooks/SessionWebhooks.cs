using Runtype.Application.Sessions;
using Runtype.Domain.Sessions;
using Runtype.Domain.Webhooks;

namespace Runtype.Application.Webhooks;

/// <summary>
/// The webhook messages a change of a session causes, written into the outbox in the change's own transaction (call
/// these before the change is saved): created; for each status change, session.status_changed and, when the new status
/// is terminal, session.completed / .failed / .cancelled / .expired; for each event a client appended,
/// session.event_appended; deleted. <c>data.session</c> is the session as the API shows it after the whole change.
/// </summary>
public sealed class SessionWebhooks(WebhookOutbox outbox)
{
    public async Task CreatedAsync(Session session, DateTimeOffset now, CancellationToken cancellationToken) =>
        await outbox.PublishAsync(session.UserId, WebhookEventTypes.SessionCreated, new SessionWebhookData(session.ToDto(now)), now, cancellationToken);

    /// <summary>The messages of the events the change appended (status changes and clients' events).</summary>
    public async Task ChangedAsync(Session session, DateTimeOffset now, CancellationToken cancellationToken)
    {
        SessionDto? dto = null;
        foreach (var appended in session.NewEvents)
        {
            if (!string.Equals(appended.Type, SessionLimits.StatusChangedEventType, StringComparison.Ordinal))
            {
                await outbox.PublishAsync(session.UserId, WebhookEventTypes.SessionEventAppended, new SessionEventAppendedData(appended.ToDto()), now, cancellationToken);
                continue;
            }

            dto ??= session.ToDto(now);
            var (from, to) = StatusChangeOf(appended);
            await outbox.PublishAsync(session.UserId, WebhookEventTypes.SessionStatusChanged, new SessionStatusChangedData(dto, from, to), now, cancellationToken);
            if (SessionLifecycle.TryParse(to, out var status) && TerminalTypes.TryGetValue(status, out var terminal))
            {
                await outbox.PublishAsync(session.UserId, terminal, new SessionWebhookData(dto), now, cancellationToken);
            }
        }
    }

    public async Task DeletedAsync(Session session, DateTimeOffset now, CancellationToken cancellationToken) =>
        await outbox.PublishAsync(session.UserId, WebhookEventTypes.SessionDeleted, new SessionDeletedData(session.Id, session.UserId), now, cancellationToken);

    private static (string From, string To) StatusChangeOf(SessionEvent statusChanged)
    {
        // The aggregate writes this payload itself: {"from":"...","to":"..."}.
        using var payload = System.Text.Json.JsonDocument.Parse(statusChanged.Payload);
        return (payload.RootElement.GetProperty("from").GetString()!, payload.RootElement.GetProperty("to").GetString()!);
    }

    /// <summary>The message each terminal status adds to session.status_changed.</summary>
    private static readonly Dictionary<SessionStatus, string> TerminalTypes = new()
    {
        [SessionStatus.Completed] = WebhookEventTypes.SessionCompleted,
        [SessionStatus.Failed] = WebhookEventTypes.SessionFailed,
        [SessionStatus.Cancelled] = WebhookEventTypes.SessionCancelled,
        [SessionStatus.Expired] = WebhookEventTypes.SessionExpired,
    };
}
