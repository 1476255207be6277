using FluentValidation;

namespace Runtype.Application.Sessions.ListSessionEvents;

public sealed class ListSessionEventsValidator : AbstractValidator<ListSessionEvents>
{
    public ListSessionEventsValidator()
    {
        RuleFor(q => q.After)
            .Must(EventCursor.IsEventId)
            .WithMessage("after must be the id (a UUID) of an event of this session.")
            .OverridePropertyName("after");
        RuleFor(q => q.Limit)
            .InclusiveBetween(1, ListSessionEvents.MaxLimit)
            .WithMessage($"limit must be an integer from 1 to {ListSessionEvents.MaxLimit}.")
            .OverridePropertyName("limit");
    }
}
