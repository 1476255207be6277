using FluentValidation;
using Runtype.Application.Common.Idempotency;
using Runtype.Domain.Sessions;

namespace Runtype.Application.Sessions.AppendSessionEvent;

public sealed class AppendSessionEventValidator : AbstractValidator<AppendSessionEvent>
{
    public AppendSessionEventValidator()
    {
        RuleFor(c => c.Type)
            .NotEmpty().WithMessage("type is required: a non-blank string.")
            .MaximumLength(SessionLimits.EventTypeLength)
            .OverridePropertyName("type");
        RuleFor(c => c.Stage).MaximumLength(SessionLimits.EventStageLength).OverridePropertyName("stage");
        RuleFor(c => c.Message).MaximumLength(SessionLimits.EventMessageLength).OverridePropertyName("message");
        this.AddIdempotencyKeyRule();
    }
}
