using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Sessions;

/// <summary>GET /sessions: ownership, order, paging and the status filter (contract §4).</summary>
public abstract class ListSessionsTests(ApiFixture api)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Lists_only_the_callers_sessions_newest_first_without_events()
    {
        var user = await api.CreateUserAsync();
        var other = await api.CreateUserAsync();
        await other.Client.CreateSessionAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await user.Client.CreateSessionAsync()).Id());
            api.Clock.Advance(TimeSpan.FromMilliseconds(3));
        }

        var page = await ListAsync(user, "");

        Assert.Equal(["data", "pagination"], page.Keys());
        var data = page.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(ids.AsEnumerable().Reverse(), data.Select(s => s.Id()));
        Assert.All(data, s => Shapes.AssertKeys(Shapes.Session, s));
        Assert.All(data, s => Assert.Equal(user.UserId, s.GetProperty("userId").GetString()));
        Assert.Equal("""{"limit":20,"offset":0,"total":5}""", page.GetProperty("pagination").GetRawText());
    }

    [Fact]
    public async Task Sessions_created_in_the_same_millisecond_are_ordered_by_id_descending()
    {
        var user = await api.CreateUserAsync();
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add((await user.Client.CreateSessionAsync()).Id());
        }

        var data = (await ListAsync(user, "")).GetProperty("data").EnumerateArray().Select(s => s.Id()).ToArray();

        Assert.Equal(ids.Order(StringComparer.Ordinal).Reverse(), data);
    }

    [Fact]
    public async Task Pages_with_limit_and_offset_and_reports_the_total()
    {
        var user = await api.CreateUserAsync();
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await user.Client.CreateSessionAsync()).Id());
            api.Clock.Advance(TimeSpan.FromMilliseconds(2));
        }

        ids.Reverse();
        var pages = new List<string>();
        for (var offset = 0; offset < 7; offset += 3)
        {
            var page = await ListAsync(user, $"?limit=3&offset={offset}");
            Assert.Equal($$"""{"limit":3,"offset":{{offset}},"total":7}""", page.GetProperty("pagination").GetRawText());
            pages.AddRange(page.GetProperty("data").EnumerateArray().Select(s => s.Id()));
        }

        Assert.Equal(ids, pages);
        var beyond = await ListAsync(user, "?limit=3&offset=7");
        Assert.Equal(0, beyond.GetProperty("data").GetArrayLength());
        Assert.Equal(7, beyond.GetProperty("pagination").GetProperty("total").GetInt32());
        var farBeyond = await ListAsync(user, "?offset=1000000");
        Assert.Equal(0, farBeyond.GetProperty("data").GetArrayLength());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public async Task Limit_accepts_1_to_100(int limit)
    {
        var user = await api.CreateUserAsync();
        await user.Client.CreateSessionAsync();
        await user.Client.CreateSessionAsync();

        var page = await ListAsync(user, $"?limit={limit}");

        Assert.Equal(Math.Min(limit, 2), page.GetProperty("data").GetArrayLength());
        Assert.Equal(limit, page.GetProperty("pagination").GetProperty("limit").GetInt32());
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=101", "limit")]
    [InlineData("?limit=-1", "limit")]
    [InlineData("?limit=abc", "limit")]
    [InlineData("?limit=1.5", "limit")]
    [InlineData("?limit=99999999999", "limit")]
    [InlineData("?offset=-1", "offset")]
    [InlineData("?offset=x", "offset")]
    [InlineData("?status=unknown", "status")]
    [InlineData("?status=INTAKE", "status")]
    public async Task Bad_query_values_are_400_naming_the_parameter(string query, string field)
    {
        var user = await api.CreateUserAsync();

        using var response = await user.Client.GetAsync(Wire.Sessions + query, Token);

        var problem = await response.AssertValidationProblemAsync(field);
        if (field == "status")
        {
            var message = problem.GetProperty("errors").GetProperty("status")[0].GetString()!;
            foreach (var status in new[] { "intake", "planning", "generating", "assembling", "completed", "failed", "cancelled", "expired" })
            {
                Assert.Contains(status, message, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "status=cancelled")]
    [InlineData("application/x-www-form-urlencoded", "{,\"status\":\"o4[Gd=1")] // found by the fuzz test: was a 500
    [InlineData("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"status\"\r\n\r\ncancelled\r\n--x--\r\n")]
    [InlineData("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"a[b\"\r\n\r\n1\r\n--x--\r\n")]
    public async Task A_body_sent_with_the_GET_is_ignored_even_a_form_that_names_a_parameter(string mediaType, string body)
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
        using var request = new HttpRequestMessage(HttpMethod.Get, Wire.Sessions) { Content = content };

        using var response = await user.Client.SendAsync(request, Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([id], (await response.ReadJsonAsync()).GetProperty("data").EnumerateArray().Select(s => s.Id()));
    }

    [Fact]
    public async Task Filters_by_status()
    {
        var user = await api.CreateUserAsync();
        var intake = (await user.Client.CreateSessionAsync()).Id();
        var planning = await user.Client.CreateSessionInStatusAsync("planning");
        var cancelled = await user.Client.CreateSessionInStatusAsync("cancelled");

        Assert.Equal([intake], await IdsAsync(user, "?status=intake"));
        Assert.Equal([planning], await IdsAsync(user, "?status=planning"));
        Assert.Equal([cancelled], await IdsAsync(user, "?status=cancelled"));
        Assert.Empty(await IdsAsync(user, "?status=completed"));
        var filtered = await ListAsync(user, "?status=planning");
        Assert.Equal(1, filtered.GetProperty("pagination").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_active_session_past_its_expiry_is_listed_as_expired()
    {
        var user = await api.CreateUserAsync();
        var stale = await user.Client.CreateSessionInStatusAsync("planning");
        var done = await user.Client.CreateSessionInStatusAsync("cancelled");
        api.Clock.Advance(TimeSpan.FromDays(30));
        var fresh = (await user.Client.CreateSessionAsync()).Id();

        Assert.Equal([stale], await IdsAsync(user, "?status=expired"));
        Assert.Empty(await IdsAsync(user, "?status=planning"));
        Assert.Equal([done], await IdsAsync(user, "?status=cancelled"));
        Assert.Equal([fresh], await IdsAsync(user, "?status=intake"));
        var all = (await ListAsync(user, "")).GetProperty("data").EnumerateArray().ToDictionary(s => s.Id(), s => s.GetProperty("status").GetString());
        Assert.Equal("expired", all[stale]);
        Assert.Equal("cancelled", all[done]);
    }

    [Fact]
    public async Task Without_credentials_it_is_401()
    {
        using var client = api.CreateAnonymousClient();

        using var response = await client.GetAsync(Wire.Sessions, Token);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    private static async Task<JsonElement> ListAsync(ApiUser user, string query)
    {
        using var response = await user.Client.GetAsync(Wire.Sessions + query, Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    private static async Task<string[]> IdsAsync(ApiUser user, string query) =>
        [.. (await ListAsync(user, query)).GetProperty("data").EnumerateArray().Select(s => s.Id())];
}
