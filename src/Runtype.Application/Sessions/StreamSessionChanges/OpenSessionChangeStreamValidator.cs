using FluentValidation;
using Runtype.Application.Sessions.StreamSessionEvents;

namespace Runtype.Application.Sessions.StreamSessionChanges;

public sealed class OpenSessionChangeStreamValidator : AbstractValidator<OpenSessionChangeStream>
{
    public OpenSessionChangeStreamValidator()
    {
        RuleFor(q => q.LastEventId)
            .Must(id => id is null || ChangePosition.TryParse(id, out _))
            .WithMessage($"{OpenSessionEventStream.LastEventIdField} must be the id of a message this stream sent (<milliseconds>-<session id>).")
            .OverridePropertyName(OpenSessionEventStream.LastEventIdField);
    }
}
