using FluentValidation;
using Runtype.Application.Common.Idempotency;
using Runtype.Domain.Sessions;

namespace Runtype.Application.Sessions.AppendSessionEvent;

public sealed class AppendSessionEventValidator : AbstractValidator<AppendSessionEvent>
{
    public AppendSessionEventValidator()
    {
        RuleFor(c => c.Type)
            .Must(type => !string.IsNullOrEmpty(type)).WithMessage("type is required: a string of 1 to 100 characters.")
            .MaximumLength(SessionLimits.EventTypeLength)
            .Must(NotContainControlCharacters).WithMessage("type must not contain control characters (it names the event in the stream).")
            .OverridePropertyName("type");
        RuleFor(c => c.Stage)
            .MaximumLength(SessionLimits.EventStageLength)
            .Must(NotContainControlCharacters).WithMessage("stage must not contain control characters.")
            .OverridePropertyName("stage");
        RuleFor(c => c.Message).MaximumLength(SessionLimits.EventMessageLength).OverridePropertyName("message");
        this.AddIdempotencyKeyRule();
    }

    private static bool NotContainControlCharacters(string? value) => value is null || !value.Any(char.IsControl);
}
