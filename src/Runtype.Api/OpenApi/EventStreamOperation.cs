using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Runtype.Api.Sessions;

namespace Runtype.Api.OpenApi;

/// <summary>
/// The stream operations' answers (one session's events, all of the caller's sessions) as they really are: 200 is <c>text/event-stream</c> only, 204 has no body, and the
/// errors are <c>application/problem+json</c> only (the controller-wide JSON media type does not apply to them).
/// </summary>
internal static class EventStreamOperation
{
    public static Task Describe(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.RelativePath?.EndsWith("/stream", StringComparison.Ordinal) != true || operation.Responses is null)
        {
            return Task.CompletedTask;
        }

        foreach (var (status, response) in operation.Responses)
        {
            if (response is not OpenApiResponse { Content: { } content })
            {
                continue;
            }

            var keep = status switch
            {
                "200" => ServerSentEvents.MediaType,
                "204" => null,
                _ => "application/problem+json",
            };
            foreach (var mediaType in content.Keys.Where(m => m != keep).ToArray())
            {
                content.Remove(mediaType);
            }
        }

        return Task.CompletedTask;
    }
}
