using Microsoft.AspNetCore.Mvc.Filters;
using Runtype.Application.Common.Idempotency;

namespace Runtype.Api.Http;

/// <summary>Marks an answer replayed for a repeated Idempotency-Key with <c>Idempotent-Replayed: true</c>.</summary>
public sealed class IdempotentReplayHeader(IdempotencyOutcome outcome) : IResultFilter
{
    public const string HeaderName = "Idempotent-Replayed";

    public void OnResultExecuting(ResultExecutingContext context)
    {
        if (outcome.Replayed)
        {
            context.HttpContext.Response.Headers[HeaderName] = "true";
        }
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }
}
