using FluentValidation;
using Mediator;
using Runtype.Application.Common;
using Runtype.Application.Sessions;
using Runtype.Application.Sessions.ListSessions;
using Runtype.Domain.Webhooks;

namespace Runtype.Application.Webhooks.ListWebhookDeliveries;

/// <summary>A page of one of the caller's endpoints' deliveries, newest first, optionally of one status.</summary>
public sealed record ListWebhookDeliveries(Caller Caller, Guid EndpointId, string? Status, int Limit = ListSessions.DefaultLimit, int Offset = 0)
    : IQuery<WebhookDeliveryPage>;

public sealed class ListWebhookDeliveriesHandler(IWebhookQueries queries) : IQueryHandler<ListWebhookDeliveries, WebhookDeliveryPage>
{
    public async ValueTask<WebhookDeliveryPage> Handle(ListWebhookDeliveries query, CancellationToken cancellationToken)
    {
        _ = await queries.GetEndpointAsync(query.EndpointId, query.Caller.UserId, cancellationToken)
            ?? throw new NotFoundException("webhook endpoint", query.EndpointId);
        WebhookDeliveryStatus? status = WebhookDeliveryStatuses.TryParse(query.Status, out var parsed) ? parsed : null;
        var (items, total) = await queries.ListDeliveriesAsync(query.EndpointId, status, query.Limit, query.Offset, cancellationToken);
        return new WebhookDeliveryPage([.. items.Select(i => i.Delivery.ToDto(i.EventType))], new Pagination(query.Limit, query.Offset, total));
    }
}

public sealed class ListWebhookDeliveriesValidator : AbstractValidator<ListWebhookDeliveries>
{
    public ListWebhookDeliveriesValidator()
    {
        RuleFor(q => q.Status)
            .Must(status => status is null || WebhookDeliveryStatuses.TryParse(status, out _))
            .WithMessage($"status must be one of: {string.Join(", ", WebhookDeliveryStatuses.AllWireNames)}.")
            .OverridePropertyName("status");
        RuleFor(q => q.Limit).InclusiveBetween(1, ListSessions.MaxLimit)
            .WithMessage($"limit must be an integer from 1 to {ListSessions.MaxLimit}.").OverridePropertyName("limit");
        RuleFor(q => q.Offset).GreaterThanOrEqualTo(0).WithMessage("offset must be an integer of 0 or more.").OverridePropertyName("offset");
    }
}
