using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace Runtype.Api.Errors;

/// <summary>
/// The shape of every error (RFC 9457): <c>type, title, status, detail, instance, traceId</c>, plus <c>code</c>
/// (a stable machine-readable name) and, for validation failures, <c>errors</c>. Framework-made problems
/// (routing 404/405, 415, ...) get the same members through <see cref="Complete"/>.
/// </summary>
public static class ApiProblems
{
    public const string UnsupportedMediaTypeCode = "unsupported_media_type";

    private static readonly Dictionary<int, string> Types = new()
    {
        [400] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.1",
        [401] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2",
        [403] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4",
        [404] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.5",
        [405] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.6",
        [406] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.7",
        [408] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.9",
        [409] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.10",
        [412] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.13",
        [413] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14",
        [415] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.16",
        [422] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.21",
        [429] = "https://www.rfc-editor.org/rfc/rfc6585#section-4",
        [500] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.1",
        [503] = "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4",
    };

    private static readonly Dictionary<int, string> DefaultDetails = new()
    {
        [400] = "The request is not valid.",
        [401] = "A valid API key or session token is required: send 'Authorization: Bearer <token>'.",
        [403] = "The credential is valid but lacks the scope this call needs.",
        [404] = "There is nothing at this address.",
        [405] = "This address does not accept that HTTP method.",
        [406] = "This API only produces application/json.",
        [408] = "The request did not arrive in time.",
        [409] = "The request conflicts with the current state of the resource.",
        [412] = "A precondition of the request did not hold.",
        [413] = "The request body is larger than 1 MiB.",
        [415] = "The request body must be JSON, sent with 'Content-Type: application/json'.",
        [429] = "Too many requests. Retry after the number of seconds in Retry-After.",
        [500] = "An unexpected error occurred. Quote the traceId when you report it.",
        [503] = "The service is temporarily unavailable. Retry later.",
    };

    /// <summary>
    /// The <c>code</c> of the problems the framework makes itself (a route that matches nothing, a method the route does
    /// not take, a body type no call reads, a body Kestrel could not read): the API's own problems name theirs.
    /// </summary>
    private static readonly Dictionary<int, string> DefaultCodes = new()
    {
        [400] = "bad_request",
        [404] = "not_found",
        [405] = "method_not_allowed",
        [406] = "not_acceptable",
        [408] = "request_timeout",
        [413] = "body_too_large",
        [415] = UnsupportedMediaTypeCode,
        [431] = "headers_too_large",
    };

    public static ProblemDetails Create(int status, string detail, string? code = null, string? title = null) =>
        WithCode(new ProblemDetails { Status = status, Title = title, Detail = detail }, code);

    public static ValidationProblemDetails Validation(IDictionary<string, string[]> errors, string? detail = null)
    {
        var problem = new ValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "Validation failed",
            Detail = detail ?? "One or more fields are not valid; see errors.",
        };
        return WithCode(problem, "validation_failed");
    }

    /// <summary>Fills the members every problem carries; called for each problem written, whoever made it.</summary>
    public static void Complete(ProblemDetails problem, HttpContext context)
    {
        var status = problem.Status ?? context.Response.StatusCode;
        problem.Status = status;
        problem.Type = Types.GetValueOrDefault(status, "about:blank");
        problem.Title ??= ReasonPhrases.GetReasonPhrase(status);
        problem.Detail ??= DefaultDetails.GetValueOrDefault(status, problem.Title);
        problem.Instance = context.Request.Path.Value;
        if (!problem.Extensions.ContainsKey("code") && DefaultCodes.TryGetValue(status, out var code))
        {
            problem.Extensions["code"] = code;
        }

        problem.Extensions["traceId"] = TraceIdOf(context);
    }

    public static string TraceIdOf(HttpContext context) =>
        Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier;

    private static T WithCode<T>(T problem, string? code)
        where T : ProblemDetails
    {
        if (code is not null)
        {
            problem.Extensions["code"] = code;
        }

        return problem;
    }
}
