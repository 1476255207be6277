using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Runtype.Api.Errors;

/// <summary>
/// The problem-details writer that comes first (see <c>AddLiveProgress</c>): the framework's writers decline a request
/// whose <c>Accept</c> header names neither JSON nor problem+json (an event-stream client sends
/// <c>Accept: text/event-stream</c>), or on a controller's endpoint write an empty body, and the problem would then be
/// lost. This one always writes it as <c>application/problem+json</c>, completed like every other problem
/// (contract §1: errors are always problem details).
/// </summary>
public sealed class ProblemJsonFallbackWriter(IOptions<ProblemDetailsOptions> problemOptions, IOptions<JsonOptions> jsonOptions) : IProblemDetailsWriter
{
    public const string MediaType = "application/problem+json";

    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        problemOptions.Value.CustomizeProblemDetails?.Invoke(context);
        var problem = context.ProblemDetails;
        return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(
            problem, problem.GetType(), jsonOptions.Value.SerializerOptions, MediaType, context.HttpContext.RequestAborted));
    }
}
