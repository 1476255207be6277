using FluentValidation;
using Mediator;
using Runtype.Application.Common;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.ListSessions;

namespace Runtype.Application.Webhooks.ListWebhookEndpoints;

/// <summary>A page of the caller's endpoints, newest first (createdAt desc, then id desc).</summary>
public sealed record ListWebhookEndpoints(Caller Caller, int Limit = ListSessions.DefaultLimit, int Offset = 0) : IQuery<WebhookEndpointPage>;

public sealed class ListWebhookEndpointsHandler(IWebhookQueries queries) : IQueryHandler<ListWebhookEndpoints, WebhookEndpointPage>
{
    public async ValueTask<WebhookEndpointPage> Handle(ListWebhookEndpoints query, CancellationToken cancellationToken)
    {
        var (items, total) = await queries.ListEndpointsAsync(query.Caller.UserId, query.Limit, query.Offset, cancellationToken);
        return new WebhookEndpointPage([.. items.Select(e => e.ToDto())], new Pagination(query.Limit, query.Offset, total));
    }
}

public sealed class ListWebhookEndpointsValidator : AbstractValidator<ListWebhookEndpoints>
{
    public ListWebhookEndpointsValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, ListSessions.MaxLimit)
            .WithMessage($"limit must be an integer from 1 to {ListSessions.MaxLimit}.").OverridePropertyName("limit");
        RuleFor(q => q.Offset).GreaterThanOrEqualTo(0).WithMessage("offset must be an integer of 0 or more.").OverridePropertyName("offset");
    }
}
