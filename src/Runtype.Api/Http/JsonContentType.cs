using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Runtype.Api.Errors;

namespace Runtype.Api.Http;

/// <summary>
/// Checks the <c>Content-Type</c> of every call that reads a body, before model binding (contract §5): it must be a
/// well-formed media type whose parameters all have a value, and a <c>charset</c>, when named, must be UTF-8. Else
/// 415, with nothing read and nothing changed. Without this check, MVC's input formatter parses the parameters
/// itself while it picks the body's encoding, and throws on an empty one (<c>charset=</c>, <c>; a=</c>): a 500.
/// Which media types a call takes is still its <c>[Consumes]</c>.
/// </summary>
public sealed class JsonContentType : IResourceFilter
{
    private static readonly string[] Utf8Names = ["utf-8", "utf8"];

    public void OnResourceExecuting(ResourceExecutingContext context)
    {
        var header = context.HttpContext.Request.Headers.ContentType;
        if (header.Count == 0 || !context.ActionDescriptor.Parameters.Any(p => p.BindingInfo?.BindingSource == BindingSource.Body))
        {
            return;
        }

        if (Refusal(header) is { } detail)
        {
            context.Result = new ProblemResult(ApiProblems.Create(StatusCodes.Status415UnsupportedMediaType, detail, ApiProblems.UnsupportedMediaTypeCode));
        }
    }

    public void OnResourceExecuted(ResourceExecutedContext context)
    {
    }

    /// <summary>Why the header is refused; null when it is acceptable.</summary>
    internal static string? Refusal(StringValues header)
    {
        if (header.Count > 1 || !MediaTypeHeaderValue.TryParse(header.ToString(), out var mediaType))
        {
            return "The Content-Type header is not one valid media type; send 'Content-Type: application/json'.";
        }

        if (mediaType.Parameters.Any(p => p.Value.Length == 0))
        {
            return "A parameter of the Content-Type header has no value; send 'Content-Type: application/json'.";
        }

        var charsets = mediaType.Parameters.Where(p => p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase)).ToArray();
        if (charsets.Length > 1)
        {
            return "The Content-Type header names more than one charset.";
        }

        if (charsets.Length == 1 && !Utf8Names.Contains(HeaderUtilities.RemoveQuotes(charsets[0].Value).ToString(), StringComparer.OrdinalIgnoreCase))
        {
            return $"The body must be UTF-8 JSON; charset '{charsets[0].Value}' is not accepted.";
        }

        return null;
    }
}
