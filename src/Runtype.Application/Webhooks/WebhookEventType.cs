using System.Text.Json.Serialization;
using Runtype.Domain.Webhooks;

namespace Runtype.Application.Webhooks;

/// <summary>
/// The webhook event types as an enumeration, for the API description only (<c>[EnumDataType]</c> on the strings that
/// hold them): its wire names are <see cref="WebhookEventTypes.All"/>, in that order (a test checks they agree).
/// </summary>
public enum WebhookEventType
{
    [JsonStringEnumMemberName(WebhookEventTypes.SessionCreated)]
    SessionCreated,

    [JsonStringEnumMemberName(WebhookEventTypes.SessionStatusChanged)]
    SessionStatusChanged,

    [JsonStringEnumMemberName(WebhookEventTypes.SessionCompleted)]
    SessionCompleted,

    [JsonStringEnumMemberName(WebhookEventTypes.SessionFailed)]
    SessionFailed,

    [JsonStringEnumMemberName(WebhookEventTypes.SessionCancelled)]
    SessionCancelled,

    [JsonStringEnumMemberName(WebhookEventTypes.SessionExpired)]
    SessionExpired,

    [JsonStringEnumMemberName(WebhookEventTypes.SessionEventAppended)]
    SessionEventAppended,

    [JsonStringEnumMemberName(WebhookEventTypes.SessionDeleted)]
    SessionDeleted,

    [JsonStringEnumMemberName(WebhookEventTypes.Test)]
    WebhookTest,
}
