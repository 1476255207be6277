using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.WebUtilities;
using Runtype.Application.Common;

namespace Runtype.Api.Http;

/// <summary>
/// One database connection for a whole API call that carries a credential: opened before the credential is looked up,
/// used by every query and the transaction of the call (and by the answer of <c>GET /sessions/{id}</c>, whose events
/// are read while they are written), closed when the call is answered. Only for the API's actions, and for calls with a
/// credential (those without are refused before any query). An action marked <see cref="ConnectionUntilAnswerStartsAttribute"/>
/// (the event streams) holds it only until its answer starts: a stream holds nothing of the database while it waits,
/// and each of its polls takes a connection of its own. A call's body is read in full first (at most
/// <see cref="RequestBodyLimit.MaxBytes"/>, in memory): a client that sends it slowly holds no connection while it does,
/// so slow or stalled senders cannot empty a server database's pool.
/// </summary>
public sealed class DatabaseConnectionPerCall(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, ICallConnection database)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<ControllerActionDescriptor>() is null || context.Request.Headers.Authorization.Count == 0)
        {
            await next(context);
            return;
        }

        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            context.Request.EnableBuffering(bufferThreshold: (int)RequestBodyLimit.MaxBytes);
            await context.Request.Body.DrainAsync(context.RequestAborted);
            context.Request.Body.Position = 0;
        }

        await using var connection = new Held(await database.HoldOpenAsync(context.RequestAborted));
        if (endpoint.Metadata.GetMetadata<ConnectionUntilAnswerStartsAttribute>() is not null)
        {
            context.Response.OnStarting(static held => ((Held)held).DisposeAsync().AsTask(), connection);
        }

        await next(context);
    }

    /// <summary>The call's hold on its connection, released once, whichever of the answer's start or the call's end comes first.</summary>
    private sealed class Held(IAsyncDisposable hold) : IAsyncDisposable
    {
        private IAsyncDisposable? _hold = hold;

        public ValueTask DisposeAsync() => Interlocked.Exchange(ref _hold, null)?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}

/// <summary>
/// An action whose call holds its database connection only until its answer starts, not for its whole length
/// (<see cref="DatabaseConnectionPerCall"/>): an event stream, which waits between polls and takes a connection for each.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ConnectionUntilAnswerStartsAttribute : Attribute;
