using Runtype.Application.Sessions;

namespace Runtype.Application.Webhooks;

/// <summary>The body of every webhook message: <c>{"type", "timestamp", "data"}</c>.</summary>
public sealed record WebhookBody<TData>(string Type, DateTime Timestamp, TData Data);

/// <summary><c>data</c> of session.created, session.completed, .failed, .cancelled and .expired: the session after the change.</summary>
public sealed record SessionWebhookData(SessionDto Session);

/// <summary><c>data</c> of session.status_changed.</summary>
public sealed record SessionStatusChangedData(SessionDto Session, string From, string To);

/// <summary><c>data</c> of session.event_appended: the event as <c>GET /sessions/{id}/events/{eventId}</c> returns it.</summary>
public sealed record SessionEventAppendedData(SessionEventDto Event);

/// <summary><c>data</c> of session.deleted.</summary>
public sealed record SessionDeletedData(Guid Id, string UserId);

/// <summary><c>data</c> of webhook.test.</summary>
public sealed record WebhookTestData(Guid EndpointId);
