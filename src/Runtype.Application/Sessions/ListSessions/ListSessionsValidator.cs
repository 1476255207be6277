using FluentValidation;
using Runtype.Domain.Sessions;

namespace Runtype.Application.Sessions.ListSessions;

public sealed class ListSessionsValidator : AbstractValidator<ListSessions>
{
    public ListSessionsValidator()
    {
        RuleFor(q => q.Status)
            .Must(status => status is null || SessionLifecycle.TryParse(status, out _))
            .WithMessage($"status must be one of: {string.Join(", ", SessionLifecycle.AllWireNames)}.")
            .OverridePropertyName("status");
        RuleFor(q => q.Limit)
            .InclusiveBetween(1, ListSessions.MaxLimit)
            .WithMessage($"limit must be an integer from 1 to {ListSessions.MaxLimit}.")
            .OverridePropertyName("limit");
        RuleFor(q => q.Offset)
            .GreaterThanOrEqualTo(0)
            .WithMessage("offset must be an integer of 0 or more.")
            .OverridePropertyName("offset");
    }
}
