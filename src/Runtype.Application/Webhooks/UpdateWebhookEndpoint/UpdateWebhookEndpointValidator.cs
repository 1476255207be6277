using FluentValidation;
using Runtype.Application.Webhooks.CreateWebhookEndpoint;
using Runtype.Domain.Webhooks;

namespace Runtype.Application.Webhooks.UpdateWebhookEndpoint;

public sealed class UpdateWebhookEndpointValidator : AbstractValidator<UpdateWebhookEndpoint>
{
    public UpdateWebhookEndpointValidator(WebhookUrls urls)
    {
        RuleFor(c => c).Must(c => c.HasAnyField)
            .WithMessage("The body must set at least one of: url, eventTypes, description, enabled.").OverridePropertyName("body");
        urls.Rule(RuleFor(c => c.Url.Value)).When(c => c.Url.HasValue);
        RuleFor(c => c.EventTypes.Value).Must(WebhookEndpointRules.AreKnownTypes!).WithMessage(WebhookEndpointRules.EventTypesMessage)
            .OverridePropertyName("eventTypes").When(c => c.EventTypes.HasValue && c.EventTypes.Value is not null);
        RuleFor(c => c.Description.Value).MaximumLength(WebhookLimits.DescriptionLength).OverridePropertyName("description").When(c => c.Description.HasValue);
        RuleFor(c => c.Enabled.Value).NotNull().WithMessage("enabled must be true or false.").OverridePropertyName("enabled").When(c => c.Enabled.HasValue);
    }
}
