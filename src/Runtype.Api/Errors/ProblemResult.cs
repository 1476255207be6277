using Microsoft.AspNetCore.Mvc;

namespace Runtype.Api.Errors;

/// <summary>An action result that writes a problem through the problem-details service, like every other error of the API.</summary>
public sealed class ProblemResult(ProblemDetails problem) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        context.HttpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status400BadRequest;
        await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = context.HttpContext, ProblemDetails = problem });
    }
}
