using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.WebUtilities;
using Runtype.Application.Common;

namespace Runtype.Api.Http;

/// <summary>
/// One database connection for a whole API call that carries a credential: opened before the credential is looked up,
/// used by every query and the transaction of the call (and by the answer of <c>GET /sessions/{id}</c>, whose events
/// are read while they are written), closed when the call is answered. Only for the API's actions, and not for those
/// marked <see cref="NoConnectionPerCallAttribute"/> (event streams, which hold nothing of the database while they
/// wait: each poll opens its own), nor for calls without a credential (refused before any query). A call's body is
/// read in full first (at most <see cref="RequestBodyLimit.MaxBytes"/>, in memory): a client that sends it slowly holds
/// no connection while it does, so slow or stalled senders cannot empty a server database's pool.
/// </summary>
public sealed class DatabaseConnectionPerCall(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, ICallConnection database)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<ControllerActionDescriptor>() is null
            || endpoint.Metadata.GetMetadata<NoConnectionPerCallAttribute>() is not null
            || context.Request.Headers.Authorization.Count == 0)
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

        await using var connection = await database.HoldOpenAsync(context.RequestAborted);
        await next(context);
    }
}

/// <summary>An action whose call must not hold a database connection for its whole length (<see cref="DatabaseConnectionPerCall"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NoConnectionPerCallAttribute : Attribute;
