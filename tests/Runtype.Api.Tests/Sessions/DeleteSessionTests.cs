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
}
