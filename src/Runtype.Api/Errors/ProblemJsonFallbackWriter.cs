using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Runtype.Api.Errors;

/// <summary>
/// The last problem-details writer: the framework's writers decline a request whose <c>Accept</c> header names
/// neither JSON nor problem+json (an event-stream client sends <c>Accept: text/event-stream</c>), and the problem
/// would then be lost or written without its members. This one writes it as <c>application/problem+json</c>
/// anyway, completed like every other problem (contract §1: errors are always problem details).
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
