using FluentValidation;
using Runtype.Application.Sessions.ListSessionEvents;

namespace Runtype.Application.Sessions.StreamSessionEvents;

public sealed class OpenSessionEventStreamValidator : AbstractValidator<OpenSessionEventStream>
{
    public OpenSessionEventStreamValidator()
    {
        RuleFor(q => q.LastEventId)
            .Must(EventCursor.IsEventId)
            .WithMessage($"{OpenSessionEventStream.LastEventIdField} must be the id (a UUID) of an event of this session.")
            .OverridePropertyName(OpenSessionEventStream.LastEventIdField);
    }
}
