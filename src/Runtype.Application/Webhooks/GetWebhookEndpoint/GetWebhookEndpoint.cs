using Mediator;
using Runtype.Application.Common;

namespace Runtype.Application.Webhooks.GetWebhookEndpoint;

/// <summary>One of the caller's endpoints (without its secret).</summary>
public sealed record GetWebhookEndpoint(Caller Caller, Guid Id) : IQuery<WebhookEndpointDto>;

public sealed class GetWebhookEndpointHandler(IWebhookQueries queries) : IQueryHandler<GetWebhookEndpoint, WebhookEndpointDto>
{
    public async ValueTask<WebhookEndpointDto> Handle(GetWebhookEndpoint query, CancellationToken cancellationToken) =>
        (await queries.GetEndpointAsync(query.Id, query.Caller.UserId, cancellationToken) ?? throw new NotFoundException("webhook endpoint", query.Id)).ToDto();
}
