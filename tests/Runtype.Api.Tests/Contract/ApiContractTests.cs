using System.Net;
using System.Text;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Contract;

/// <summary>
/// The check every HTTP test's answers go through (<see cref="ApiContract"/>) fails on answers the document does not
/// describe, and passes the ones it does: canaries, so the suite's "every answer matches" cannot pass vacuously.
/// </summary>
public sealed class ApiContractTests
{
    private const string Id = "0195f3c4-1111-7aaa-8bbb-000000000001";
    private const string Session = "/v1/products/generation/sessions/" + Id;
    private const string Problem = """{"type":"about:blank","title":"Not Found","status":404,"detail":"No such session.","instance":"/x","traceId":"abc","code":"not_found"}""";

    private static readonly Lazy<ApiContract> Contract = new(() => ApiContract.Parse(File.ReadAllText(OpenApiDocumentTests.CommittedPath)));

    public static TheoryData<string, string, int, string?, string?, string[]> Described => new()
    {
        { "GET", Session, 200, "application/json", SessionJson(events: "[]"), ["ETag: \"3\""] },
        { "GET", Session, 304, null, null, ["ETag: \"3\""] },
        { "PATCH", Session, 200, "application/json", SessionJson(), ["ETag: \"4\""] },
        { "DELETE", Session, 204, null, null, [] },
        { "GET", Session, 404, "application/problem+json", Problem, [] },
        { "GET", "/v1/products/generation/sessions", 401, "application/problem+json", Problem.Replace("404", "401"), ["WWW-Authenticate: Bearer realm=\"runtype\""] },
        { "GET", "/nothing-here", 404, "application/problem+json", Problem, [] },
        { "PUT", Session, 405, "application/problem+json", Problem.Replace("404", "405"), [] },
        { "GET", "/health/live", 200, "text/plain", "Healthy", [] },
    };

    public static TheoryData<string, string, int, string?, string?, string[]> Undescribed => new()
    {
        // a member missing, a member too many, a status outside the enum, a timestamp that is not one
        { "GET", Session, 200, "application/json", SessionJson(), ["ETag: \"3\""] },
        { "PATCH", Session, 200, "application/json", SessionJson().Replace("\"expiresAt\"", "\"extra\":1,\"expiresAt\""), ["ETag: \"4\""] },
        { "PATCH", Session, 200, "application/json", SessionJson().Replace("\"intake\"", "\"paused\""), ["ETag: \"4\""] },
        { "PATCH", Session, 200, "application/json", SessionJson().Replace("2026-01-01T00:00:00.000Z", "yesterday"), ["ETag: \"4\""] },
        { "PATCH", Session, 200, "application/json", SessionJson().Replace("\"prd\":null", "\"prd\":[1]"), ["ETag: \"4\""] },

        // a declared header missing or malformed
        { "PATCH", Session, 200, "application/json", SessionJson(), [] },
        { "PATCH", Session, 200, "application/json", SessionJson(), ["ETag: W/\"4\""] },
        { "GET", "/v1/products/generation/sessions", 401, "application/problem+json", Problem.Replace("404", "401"), [] },

        // a status the call does not have, a body where none is, an error that is not problem+json
        { "GET", Session, 418, "application/problem+json", Problem, [] },
        { "DELETE", Session, 204, "application/json", "{}", [] },
        { "GET", Session, 404, "application/json", Problem, [] },

        // a problem with an undocumented member, or without a standard one
        { "GET", Session, 404, "application/problem+json", Problem.Replace("\"code\"", "\"secret\":1,\"code\""), [] },
        { "GET", Session, 404, "application/problem+json", Problem.Replace("\"traceId\":\"abc\",", string.Empty), [] },

        // an answer from a call the document does not have
        { "GET", "/nothing-here", 200, "application/json", "{}", [] },
        { "POST", "/health/live", 200, "text/plain", "Healthy", [] },
    };

    [Theory]
    [MemberData(nameof(Described))]
    public async Task An_answer_the_document_describes_passes(string method, string path, int status, string? mediaType, string? body, string[] headers)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri("http://localhost" + path));
        using var response = Answer(status, mediaType, body, headers);

        await Contract.Value.CheckAsync(request, response, TestContext.Current.CancellationToken);
    }

    [Theory]
    [MemberData(nameof(Undescribed))]
    public async Task An_answer_the_document_does_not_describe_fails(string method, string path, int status, string? mediaType, string? body, string[] headers)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri("http://localhost" + path));
        using var response = Answer(status, mediaType, body, headers);

        await Assert.ThrowsAsync<ContractViolationException>(() => Contract.Value.CheckAsync(request, response, TestContext.Current.CancellationToken));
    }

    private static HttpResponseMessage Answer(int status, string? mediaType, string? body, string[] headers)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = body is null ? new ByteArrayContent([]) : new StringContent(body, Encoding.UTF8, mediaType!),
        };
        foreach (var header in headers)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            response.Headers.TryAddWithoutValidation(header[..colon], header[(colon + 1)..].Trim());
        }

        return response;
    }

    private static string SessionJson(string? events = null) =>
        "{\"id\":\"" + Id + "\",\"userId\":\"user_1\",\"organizationId\":null,\"status\":\"intake\",\"catalogVersion\":null,"
        + "\"schemaVersion\":null,\"prd\":null,\"plan\":{\"a\":[1]},\"productObject\":null,\"productObjectHash\":null,\"assemblyState\":null,"
        + "\"createdAt\":\"2026-01-01T00:00:00.000Z\",\"updatedAt\":\"2026-01-01T00:00:00.000Z\",\"expiresAt\":\"2026-01-31T00:00:00.000Z\""
        + (events is null ? string.Empty : ",\"events\":" + events) + "}";
}
