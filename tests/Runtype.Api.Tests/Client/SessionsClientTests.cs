using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Sessions.Client;

namespace Runtype.Api.Tests.Client;

/// <summary>Runtype.Sessions.Client against the real server process: every call, paging, the stream, retries, errors.</summary>
public sealed class SessionsClientTests(ClientServer api) : IClassFixture<ClientServer>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_whole_generation_through_every_call()
    {
        await using var provider = api.CreateClient(await api.NewKeyAsync("user_lifecycle"));
        var client = provider.GetRequiredService<IRuntypeSessionsClient>();

        Assert.True(await client.IsReadyAsync(Token));
        var session = await client.CreateSessionAsync(new NewSession { CatalogVersion = "1.0", Prd = new JsonObject { ["title"] = "Support", ["tags"] = new JsonArray("a", "b") } }, cancellationToken: Token);
        Assert.Equal(SessionStatus.Intake, session.Status);
        Assert.Equal("""{"title":"Support","tags":["a","b"]}""", session.Prd!.ToJsonString());
        Assert.NotNull(session.ETag);

        session = await client.UpdateSessionAsync(session, new SessionUpdate { Status = SessionStatus.Planning, Plan = new JsonObject { ["steps"] = 3 } }, Token);
        session = await client.UpdateSessionAsync(session, new SessionUpdate { Status = SessionStatus.Generating, AssemblyState = new JsonObject { ["progress"] = 10 } }, Token);
        Assert.Equal(SessionStatus.Generating, session.Status);

        // null clears a field; one not set is left alone
        session = await client.UpdateSessionAsync(session.Id, new SessionUpdate { Plan = null }, cancellationToken: Token);
        Assert.Null(session.Plan);
        Assert.Equal(10, session.AssemblyState!["progress"]!.GetValue<int>());

        var appended = await client.AppendEventAsync(session.Id, new NewSessionEvent("progress") { Message = "half way", Payload = new JsonObject { ["step"] = 1 } }, cancellationToken: Token);
        var read = await client.GetEventAsync(session.Id, appended.Id, Token);
        Assert.Equal((appended.Id, appended.Type, appended.Message, appended.CreatedAt), (read.Id, read.Type, read.Message, read.CreatedAt));
        Assert.Equal("""{"step":1}""", read.Payload.ToJsonString());
        session = await client.UpdateSessionAsync(session.Id, new SessionUpdate { Status = SessionStatus.Assembling }, cancellationToken: Token);
        session = await client.UpdateSessionAsync(session.Id, new SessionUpdate { Status = SessionStatus.Completed, ProductObject = new JsonObject { ["b"] = 1, ["a"] = 2 } }, cancellationToken: Token);
        Assert.Equal(SessionStatus.Completed, session.Status);
        Assert.True(session.Status.IsTerminal);
        Assert.Matches("^[0-9a-f]{64}$", session.ProductObjectHash);

        var details = await client.GetSessionAsync(session.Id, Token);
        Assert.Equal(["status_changed", "status_changed", "progress", "status_changed", "status_changed"], details.Events.Select(e => e.Type));
        Assert.Null(await client.GetSessionIfChangedAsync(details, Token));
        Assert.Equal(details.Events.Select(e => e.Id), await client.ListAllEventsAsync(session.Id, pageSize: 2, cancellationToken: Token).Select(e => e.Id).ToListAsync(Token));
        var page = await client.ListEventsAsync(session.Id, after: details.Events[1].Id, limit: 2, cancellationToken: Token);
        Assert.Equal(details.Events.Skip(2).Take(2).Select(e => e.Id), page.Data.Select(e => e.Id));
        Assert.Equal(details.Events[3].Id, page.Pagination.Next);

        var listed = await client.ListSessionsAsync(SessionStatus.Completed, limit: 10, cancellationToken: Token);
        Assert.Equal(session.Id, Assert.Single(listed.Data).Id);

        await client.DeleteSessionAsync(session.Id, cancellationToken: Token);
        var gone = await Assert.ThrowsAsync<RuntypeApiException>(() => client.GetSessionAsync(session.Id, Token));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("not_found", gone.Code);
        Assert.NotNull(gone.TraceId);
    }

    [Fact]
    public async Task All_sessions_are_enumerated_a_page_at_a_time_newest_first()
    {
        await using var provider = api.CreateClient(await api.NewKeyAsync("user_paging"));
        var client = provider.GetRequiredService<IRuntypeSessionsClient>();
        var created = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            created.Add((await client.CreateSessionAsync(cancellationToken: Token)).Id);
        }

        var all = await client.ListAllSessionsAsync(pageSize: 3, cancellationToken: Token).Select(s => s.Id).ToListAsync(Token);

        Assert.Equal(Enumerable.Reverse(created), all);
    }

    [Fact]
    public async Task Errors_carry_their_problem_details_as_typed_members()
    {
        await using var provider = api.CreateClient(await api.NewKeyAsync("user_errors"));
        var client = provider.GetRequiredService<IRuntypeSessionsClient>();
        var stale = await client.CreateSessionAsync(cancellationToken: Token);
        var moved = await client.UpdateSessionAsync(stale, new SessionUpdate { Status = SessionStatus.Planning }, Token);

        var precondition = await Assert.ThrowsAsync<RuntypeApiException>(() => client.UpdateSessionAsync(stale, new SessionUpdate { Status = SessionStatus.Generating }, Token));
        var transition = await Assert.ThrowsAsync<RuntypeApiException>(() => client.UpdateSessionAsync(moved.Id, new SessionUpdate { Status = SessionStatus.Completed }, cancellationToken: Token));
        var invalid = await Assert.ThrowsAsync<RuntypeApiException>(() => client.AppendEventAsync(moved.Id, new NewSessionEvent(new string('x', 101)), cancellationToken: Token));
        var unknownStatus = await Assert.ThrowsAsync<RuntypeApiException>(() => client.UpdateSessionAsync(moved.Id, new SessionUpdate { Status = new SessionStatus("paused") }, cancellationToken: Token));

        Assert.Equal(HttpStatusCode.PreconditionFailed, precondition.StatusCode);
        Assert.Equal("precondition_failed", precondition.Code);
        Assert.Equal(moved.ETag, precondition.CurrentETag);
        Assert.Equal("invalid_status_transition", transition.Code);
        Assert.Equal(SessionStatus.Planning, transition.CurrentStatus);
        Assert.Equal(SessionStatus.Completed, transition.RequestedStatus);
        Assert.Equal([SessionStatus.Generating, SessionStatus.Failed, SessionStatus.Cancelled], transition.AllowedStatuses);
        Assert.Equal("validation_failed", invalid.Code);
        Assert.True(invalid.Errors.ContainsKey("type"));
        Assert.True(unknownStatus.Errors.ContainsKey("status"));
        Assert.Contains("412", precondition.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.UpdateSessionAsync(moved.Id, new SessionUpdate(), cancellationToken: Token));
    }

    [Fact]
    public async Task A_create_whose_answer_was_lost_is_retried_with_the_same_key_and_creates_one_session()
    {
        var key = await api.NewKeyAsync("user_retry");
        await using var proxy = new FaultyProxy(api.Server.Address);
        await using var provider = api.CreateClient(key, proxy.Address);
        var client = provider.GetRequiredService<IRuntypeSessionsClient>();
        await using var direct = api.CreateClient(key);

        await proxy.DropNextAnswersAsync(1);
        var session = await client.CreateSessionAsync(new NewSession { CatalogVersion = "retried" }, cancellationToken: Token);
        await proxy.DropNextAnswersAsync(1);
        var appended = await client.AppendEventAsync(session.Id, new NewSessionEvent("once"), cancellationToken: Token);

        Assert.True(proxy.Connections >= 4, $"{proxy.Connections} connections: the lost answers were not retried");
        var all = await direct.GetRequiredService<IRuntypeSessionsClient>().ListSessionsAsync(cancellationToken: Token);
        Assert.Equal(session.Id, Assert.Single(all.Data).Id);
        var events = (await client.GetSessionAsync(session.Id, Token)).Events;
        Assert.Equal(appended.Id, Assert.Single(events).Id);
    }

    [Fact]
    public async Task A_change_whose_answer_was_lost_is_not_repeated_blindly()
    {
        var key = await api.NewKeyAsync("user_patch");
        await using var proxy = new FaultyProxy(api.Server.Address);
        await using var provider = api.CreateClient(key, proxy.Address);
        var client = provider.GetRequiredService<IRuntypeSessionsClient>();
        var session = await client.CreateSessionAsync(cancellationToken: Token);

        await proxy.DropNextAnswersAsync(1);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.UpdateSessionAsync(session.Id, new SessionUpdate { Status = SessionStatus.Planning }, cancellationToken: Token));

        var now = await client.GetSessionAsync(session.Id, Token);
        Assert.Equal(SessionStatus.Planning, now.Status); // the server did it once; the client did not send it again
        Assert.Single(now.Events);
    }

    [Fact]
    public async Task The_stream_follows_reconnects_and_resumes_after_a_dropped_connection_without_losing_or_repeating_events()
    {
        var key = await api.NewKeyAsync("user_stream");
        await using var proxy = new FaultyProxy(api.Server.Address);
        await using var provider = api.CreateClient(key, proxy.Address);
        var client = provider.GetRequiredService<IRuntypeSessionsClient>();
        var session = await client.CreateSessionAsync(cancellationToken: Token);
        var received = new List<SessionEvent>();
        using var firstEvent = new SemaphoreSlim(0);

        var following = Task.Run(
            async () =>
            {
                await foreach (var e in client.StreamEventsAsync(session.Id, cancellationToken: Token))
                {
                    lock (received)
                    {
                        received.Add(e);
                    }

                    firstEvent.Release();
                }
            },
            Token);

        var appended = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            appended.Add((await client.AppendEventAsync(session.Id, new NewSessionEvent("tick") { Message = $"{i}" }, cancellationToken: Token)).Id);
            if (i == 0)
            {
                Assert.True(await firstEvent.WaitAsync(TimeSpan.FromSeconds(30), Token), "no event arrived");
            }

            if (i == 2)
            {
                proxy.CutAll(); // a dropped connection
            }

            await Task.Delay(TimeSpan.FromMilliseconds(700), Token); // the server asks for a reconnect every 2 s too
        }

        await client.UpdateSessionAsync(session.Id, new SessionUpdate { Status = SessionStatus.Cancelled }, cancellationToken: Token);
        await following.WaitAsync(TimeSpan.FromSeconds(30), Token); // ends by itself: the session is terminal

        var log = (await client.GetSessionAsync(session.Id, Token)).Events.Select(e => e.Id).ToArray();
        Assert.Equal(log, received.Select(e => e.Id));
        Assert.Equal(appended, received.Where(e => e.Type == "tick").Select(e => e.Id));
        Assert.True(proxy.Connections >= 4, $"only {proxy.Connections} connections: the stream never reconnected");
    }

    [Fact]
    public async Task The_stream_of_an_ended_session_replays_and_ends_and_resumes_after_an_event()
    {
        await using var provider = api.CreateClient(await api.NewKeyAsync("user_ended"));
        var client = provider.GetRequiredService<IRuntypeSessionsClient>();
        var session = await client.CreateSessionAsync(cancellationToken: Token);
        var first = await client.AppendEventAsync(session.Id, new NewSessionEvent("a"), cancellationToken: Token);
        await client.UpdateSessionAsync(session.Id, new SessionUpdate { Status = SessionStatus.Failed }, cancellationToken: Token);

        var all = await client.StreamEventsAsync(session.Id, cancellationToken: Token).ToListAsync(Token);
        var rest = await client.StreamEventsAsync(session.Id, first.Id, Token).ToListAsync(Token);
        var none = await client.StreamEventsAsync(session.Id, rest[^1].Id, Token).ToListAsync(Token);

        Assert.Equal(["a", "status_changed"], all.Select(e => e.Type));
        Assert.Equal(all.Skip(1).Select(e => e.Id), rest.Select(e => e.Id));
        Assert.Empty(none); // 204: nothing left
    }

    [Fact]
    public async Task The_stream_of_a_missing_session_is_a_404_problem()
    {
        await using var provider = api.CreateClient(api.Key);
        var client = provider.GetRequiredService<IRuntypeSessionsClient>();

        var missing = await Assert.ThrowsAsync<RuntypeApiException>(async () => await client.StreamEventsAsync(Guid.CreateVersion7(), cancellationToken: Token).ToListAsync(Token));

        Assert.Equal("not_found", missing.Code);
    }

    [Fact]
    public void The_registration_refuses_options_without_an_address_or_a_key()
    {
        var services = new ServiceCollection();
        services.AddRuntypeSessionsClient(o => o.BaseAddress = new Uri("http://127.0.0.1:1"));
        using var provider = services.BuildServiceProvider();

        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<IRuntypeSessionsClient>());
    }
}
