using Mediator;
using Runtype.Application.Common;

namespace Runtype.Application.Webhooks.DeleteWebhookEndpoint;

/// <summary>Deletes one of the caller's endpoints with its deliveries: pending ones are dropped.</summary>
public sealed record DeleteWebhookEndpoint(Caller Caller, Guid Id) : ICommand;

public sealed class DeleteWebhookEndpointHandler(IWebhookEndpointRepository endpoints) : ICommandHandler<DeleteWebhookEndpoint>
{
    public async ValueTask<Unit> Handle(DeleteWebhookEndpoint command, CancellationToken cancellationToken)
    {
        var endpoint = await endpoints.FindAsync(command.Id, command.Caller.UserId, cancellationToken)
            ?? throw new NotFoundException("webhook endpoint", command.Id);
        endpoints.Remove(endpoint);
        await endpoints.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}
