using System.Net;
using System.Text.Json;

namespace Runtype.Api.Tests.Infrastructure;

/// <summary>Assertions on RFC 9457 problem details (contract §1).</summary>
public static class Problems
{
    /// <summary>Asserts the status, the media type and the members every problem carries; returns the body.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string? code = null)
    {
        var text = await response.ReadTextAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        foreach (var member in new[] { "type", "title", "detail", "instance", "traceId" })
        {
            Assert.True(problem.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0,
                $"The problem lacks '{member}': {text}");
        }

        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("SELECT", text, StringComparison.OrdinalIgnoreCase);
        if (code is not null)
        {
            Assert.Equal(code, problem.GetProperty("code").GetString());
        }

        return problem;
    }

    /// <summary>Asserts a 400 whose <c>errors</c> name <paramref name="field"/> and nothing else.</summary>
    public static async Task<JsonElement> AssertValidationProblemAsync(this HttpResponseMessage response, string field)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.TryGetProperty("errors", out var errors), $"No 'errors' in {problem}");
        Assert.True(errors.TryGetProperty(field, out var messages), $"'errors' does not name '{field}': {errors}");
        Assert.NotEqual(0, messages.GetArrayLength());
        Assert.True(errors.EnumerateObject().Count() == 1, $"'errors' names more than '{field}': {errors}");
        return problem;
    }
}
