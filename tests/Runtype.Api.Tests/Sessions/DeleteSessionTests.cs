using System.Net;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Sessions;

/// <summary>DELETE /sessions/{id} (contract §4).</summary>
public abstract class DeleteSessionTests(ApiFixture api)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deletes_the_session_and_its_events_and_a_second_delete_is_404()
    {
        var user = await api.CreateUserAsync();
        var id = await user.Client.CreateSessionInStatusAsync("planning");
        using var appended = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"info"}""");
        var eventLocation = appended.Headers.Location!.OriginalString;

        using var deleted = await user.Client.DeleteAsync($"{Wire.Sessions}/{id}", Token);
        using var again = await user.Client.DeleteAsync($"{Wire.Sessions}/{id}", Token);
        using var get = await user.Client.GetAsync($"{Wire.Sessions}/{id}", Token);
        using var getEvent = await user.Client.GetAsync(eventLocation, Token);
        using var list = await user.Client.GetAsync(Wire.Sessions, Token);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(await deleted.ReadTextAsync());
        await again.AssertProblemAsync(HttpStatusCode.NotFound);
        await get.AssertProblemAsync(HttpStatusCode.NotFound);
        await getEvent.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, (await list.ReadJsonAsync()).GetProperty("pagination").GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("completed")]
    [InlineData("cancelled")]
    public async Task A_terminal_session_can_be_deleted(string status)
    {
        var user = await api.CreateUserAsync();
        var id = status == "completed"
            ? await user.Client.CreateSessionInStatusAsync("generating", "assembling", "completed")
            : await user.Client.CreateSessionInStatusAsync("cancelled");

        using var deleted = await user.Client.DeleteAsync($"{Wire.Sessions}/{id}", Token);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Fact]
    public async Task Another_users_session_is_404_and_survives()
    {
        var owner = await api.CreateUserAsync();
        var stranger = await api.CreateUserAsync();
        var id = (await owner.Client.CreateSessionAsync()).Id();

        using var response = await stranger.Client.DeleteAsync($"{Wire.Sessions}/{id}", Token);

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
        await owner.Client.GetSessionAsync(id);
    }

    [Fact]
    public async Task A_read_only_key_cannot_delete()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var reader = await api.CreateKeyAsync(user.UserId, user.OrganizationId, ["sessions:read"]);
        using var client = api.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", reader.PlainText);

        using var response = await client.DeleteAsync($"{Wire.Sessions}/{id}", Token);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        await user.Client.GetSessionAsync(id);
    }

    [Theory]
    [InlineData("stale")]
    [InlineData("weak")]
    [InlineData("malformed")]
    [InlineData("unknown")]
    public async Task If_Match_that_names_no_current_version_is_412_as_for_PATCH_and_deletes_nothing(string kind)
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        using var read = await user.Client.GetAsync($"{Wire.Sessions}/{id}", Token);
        var stale = read.Headers.ETag!.ToString();
        var changed = await user.Client.UpdateSessionAsync(id, """{"plan":{"v":1}}""");
        using var reread = await user.Client.GetAsync($"{Wire.Sessions}/{id}", Token);
        var current = reread.Headers.ETag!.ToString();
        var ifMatch = kind switch
        {
            "stale" => stale,
            "weak" => "W/" + current,
            "malformed" => current.Trim('"'),
            _ => "\"999999\", " + stale,
        };

        using var response = await DeleteAsync(user, id, ifMatch);

        var problem = await response.AssertProblemAsync(HttpStatusCode.PreconditionFailed, "precondition_failed");
        Assert.Equal(current, problem.GetProperty("currentETag").GetString());
        Assert.Contains(current, problem.GetProperty("detail").GetString()!, StringComparison.Ordinal);
        Assert.Equal(changed.GetProperty("updatedAt").GetString(), (await user.Client.GetSessionAsync(id)).GetProperty("updatedAt").GetString());
    }

    [Theory]
    [InlineData("current")]
    [InlineData("listed")]
    [InlineData("*")]
    public async Task If_Match_that_names_the_current_version_or_a_wildcard_deletes(string kind)
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        await user.Client.UpdateSessionAsync(id, """{"plan":{"v":1}}""");
        using var read = await user.Client.GetAsync($"{Wire.Sessions}/{id}", Token);
        var current = read.Headers.ETag!.ToString();
        var ifMatch = kind switch { "current" => current, "listed" => "\"1\", " + current, _ => "*" };

        using var response = await DeleteAsync(user, id, ifMatch);
        using var get = await user.Client.GetAsync($"{Wire.Sessions}/{id}", Token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await get.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task If_Match_on_a_missing_session_is_still_404()
    {
        var user = await api.CreateUserAsync();

        using var response = await DeleteAsync(user, Guid.CreateVersion7().ToString(), "\"1\"");

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    private static Task<HttpResponseMessage> DeleteAsync(ApiUser user, string id, string ifMatch) =>
        user.Client.SendJsonAsync(HttpMethod.Delete, $"{Wire.Sessions}/{id}", null, r => r.Headers.TryAddWithoutValidation("If-Match", ifMatch));
}
