using Microsoft.AspNetCore.Mvc.Controllers;
using Runtype.Application.Common;

namespace Runtype.Api.Http;

/// <summary>
/// One database connection for a whole API call that carries a credential: opened before the credential is looked up,
/// used by every query and the transaction of the call (and by the answer of <c>GET /sessions/{id}</c>, whose events
/// are read while they are written), closed when the call is answered. Only for the API's actions, and not for those
/// marked <see cref="NoConnectionPerCallAttribute"/> (event streams, which hold nothing of the database while they
/// wait: each poll opens its own), nor for calls without a credential (refused before any query).
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

        await using var connection = await database.HoldOpenAsync(context.RequestAborted);
        await next(context);
    }
}

/// <summary>An action whose call must not hold a database connection for its whole length (<see cref="DatabaseConnectionPerCall"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NoConnectionPerCallAttribute : Attribute;
