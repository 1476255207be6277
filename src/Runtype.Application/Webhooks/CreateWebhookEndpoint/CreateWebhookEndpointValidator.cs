using FluentValidation;
using Runtype.Application.Common.Idempotency;
using Runtype.Domain.Webhooks;

namespace Runtype.Application.Webhooks.CreateWebhookEndpoint;

public sealed class CreateWebhookEndpointValidator : AbstractValidator<CreateWebhookEndpoint>
{
    public CreateWebhookEndpointValidator(WebhookUrls urls)
    {
        urls.Rule(RuleFor(c => c.Url));
        RuleFor(c => c.EventTypes).Must(WebhookEndpointRules.AreKnownTypes!).WithMessage(WebhookEndpointRules.EventTypesMessage)
            .OverridePropertyName("eventTypes").When(c => c.EventTypes is not null);
        RuleFor(c => c.Description).MaximumLength(WebhookLimits.DescriptionLength).OverridePropertyName("description");
        this.AddIdempotencyKeyRule();
    }
}

/// <summary>Rules the create and update validators share.</summary>
internal static class WebhookEndpointRules
{
    public static readonly string EventTypesMessage =
        $"eventTypes must be an array of: {string.Join(", ", WebhookEventTypes.All)} (absent or empty: all of them).";

    public static bool AreKnownTypes(IReadOnlyList<string> types) => types.All(WebhookEventTypes.IsKnown);
}
