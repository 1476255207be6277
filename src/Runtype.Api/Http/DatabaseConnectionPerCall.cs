using Runtype.Application.Common;

namespace Runtype.Api.Http;

/// <summary>
/// One database connection for a whole API call that carries a credential: opened before the credential is looked up,
/// used by every query and the transaction of the call, closed when the call is answered. Not for event streams,
/// which hold nothing of the database while they wait (each poll opens its own), nor for calls without a credential
/// (refused before any query).
/// </summary>
public sealed class DatabaseConnectionPerCall(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, IDatabaseSession database)
    {
        if (!context.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase)
            || context.Request.Headers.Authorization.Count == 0
            || context.Request.Path.Value!.EndsWith("/events/stream", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        await using var connection = await database.HoldOpenAsync(context.RequestAborted);
        await next(context);
    }
}
