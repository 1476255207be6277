using Runtype.Api.Cli;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Webhooks;

/// <summary>
/// The outbox and the dispatcher across real processes (<c>dotnet Runtype.Api.dll</c> on one database): a server
/// killed with SIGKILL while deliveries are due loses none of them, and two servers share the work without ever
/// attempting one delivery in both at once.
/// </summary>
public abstract class WebhookProcessTests : IAsyncLifetime
{
    private readonly ProcessDatabase _database;

    protected WebhookProcessTests(ProcessDatabase database)
    {
        database.Require();
        _database = database;
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string[] Settings(int maxConcurrency = 8, int maxConcurrencyPerEndpoint = 8, string firstDelay = "00:00:00") =>
    [
        .. _database.Settings, "--Database:MigrateOnStartup", "false", "--RateLimiting:PermitsPerMinute", "0", "--Serilog:MinimumLevel:Default", "Warning",
        "--Webhooks:AllowInsecureUrls", "true", "--Webhooks:AllowPrivateNetworks", "true", "--Webhooks:Timeout", "00:00:05",
        "--Webhooks:MaxConcurrency", $"{maxConcurrency}", "--Webhooks:MaxConcurrencyPerEndpoint", $"{maxConcurrencyPerEndpoint}",
        .. Enumerable.Range(0, 20).SelectMany(i => new[] { $"--Webhooks:RetrySchedule:{i}", i == 0 ? firstDelay : "00:00:00.500" }),
    ];

    public async ValueTask InitializeAsync()
    {
        var migrated = await ApiProcess.RunAsync(CancellationToken.None, ["migrate", .. Settings()]);
        Assert.True(migrated.Code == CommandLine.Ok, migrated.Error);
    }

    public ValueTask DisposeAsync()
    {
        _database.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_server_killed_with_SIGKILL_while_deliveries_are_due_delivers_every_one_after_its_restart()
    {
        const int Sessions = 12;
        await using var receiver = await WebhookReceiver.StartAsync();
        var up = false;
        receiver.Answer("/crash", (_, _) => new ReceiverAnswer(up ? 200 : 503));
        var key = await CreateKeyAsync("user_webhook_crash");

        var server = await ApiProcess.StartServerAsync(Token, Settings());
        string endpointId;
        try
        {
            using var client = server.CreateClient(key);
            endpointId = (await client.CreateEndpointAsync(receiver.Url("/crash"), "session.created")).Id();
            for (var i = 0; i < Sessions; i++)
            {
                await client.CreateSessionAsync();
            }

            // Every message has been tried and refused at least once: all of them are due again, none delivered.
            await receiver.WaitForAsync("/crash", Sessions * 2);
            Assert.True(receiver.ReceivedAt("/crash").Select(r => r.Id).Distinct().Count() >= Sessions - 4);
            await server.KillAsync();
        }
        finally
        {
            await server.DisposeAsync();
        }

        up = true;
        var before = receiver.ReceivedAt("/crash").Count;
        await using var restarted = await ApiProcess.StartServerAsync(Token, Settings());
        using var after = restarted.CreateClient(key);
        var delivered = await WaitForSucceededAsync(after, endpointId, Sessions);

        Assert.Equal(Sessions, delivered.Length);
        var messages = delivered.Select(d => d.GetProperty("messageId").GetString()).ToHashSet();
        var answered = receiver.ReceivedAt("/crash").Skip(before).Select(r => r.Id).ToHashSet();
        Assert.True(messages.IsSubsetOf(answered), "every message reached the receiver after the restart");
    }

    [Fact]
    public async Task Two_servers_share_the_deliveries_and_never_attempt_one_in_both_at_once()
    {
        const int Sessions = 24;
        const int PerProcess = 2;
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer("/shared", (_, _) => new ReceiverAnswer(200, Delay: TimeSpan.FromMilliseconds(300)));
        var key = await CreateKeyAsync("user_webhook_shared");
        Task<ApiServer>[] starting = [ApiProcess.StartServerAsync(Token, Settings(PerProcess)), ApiProcess.StartServerAsync(Token, Settings(PerProcess))];
        await Task.WhenAll(starting.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default)));
        await using var a = await starting[0];
        await using var b = await starting[1];
        using var clientA = a.CreateClient(key);
        using var clientB = b.CreateClient(key);
        var endpointId = (await clientA.CreateEndpointAsync(receiver.Url("/shared"), "session.created")).Id();

        // Created one after the other, alternately through each server (each wakes its own dispatcher): what is tested
        // is the dispatchers sharing the deliveries, not concurrent writers of one SQLite file.
        for (var i = 0; i < Sessions; i++)
        {
            await (i % 2 == 0 ? clientA : clientB).CreateSessionAsync();
        }
        var received = await receiver.WaitForAsync("/shared", Sessions, timeout: TimeSpan.FromSeconds(60));
        var delivered = await WaitForSucceededAsync(clientB, endpointId, Sessions);

        // Each message arrived once; no message was ever in flight twice; more were in flight than one process allows.
        Assert.Equal(Sessions, delivered.Length);
        Assert.Equal(Sessions, received.Count);
        Assert.Equal(Sessions, received.Select(r => r.Id).Distinct().Count());
        Assert.Equal(1, receiver.MaxInFlightOfOneMessage);
        Assert.True(receiver.MaxInFlight > PerProcess, $"at most {receiver.MaxInFlight} attempts were in flight: only one server worked");
        Assert.All(delivered, d => Assert.Equal(1, d.GetProperty("attempts").GetInt32()));
    }

    [Fact]
    public async Task A_claim_gives_an_endpoint_no_more_than_its_cap_however_many_of_the_due_deliveries_are_its_own()
    {
        const int Cap = 2;
        const int Sessions = 8;
        await using var receiver = await WebhookReceiver.StartAsync();
        var release = new TaskCompletionSource();
        receiver.Answer("/held", (_, _) => new ReceiverAnswer(200, HoldUntil: release.Task));
        var key = await CreateKeyAsync("user_webhook_cap");

        // Written by a server whose first attempt waits 5 s (and which looks for due deliveries only when woken by a
        // commit of its own), stopped at once: when the second server starts they are all due, and its first claim
        // sees every one of them.
        var writer = await ApiProcess.StartServerAsync(Token, [.. Settings(firstDelay: "00:00:05"), "--Webhooks:PollInterval", "01:00:00"]);
        DateTime due;
        try
        {
            using var client = writer.CreateClient(key);
            await client.CreateEndpointAsync(receiver.Url("/held"), "session.created");
            for (var i = 0; i < Sessions; i++)
            {
                await client.CreateSessionAsync();
            }

            due = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        }
        finally
        {
            await writer.DisposeAsync();
        }

        Assert.Empty(receiver.ReceivedAt("/held"));
        await Task.Delay(due - DateTime.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Token);

        // A server with room for 4 attempts, 2 per endpoint.
        await using var server = await ApiProcess.StartServerAsync(Token, Settings(maxConcurrency: 4, maxConcurrencyPerEndpoint: Cap));
        using var dispatching = server.CreateClient(key);
        try
        {
            await receiver.WaitForAsync("/held", Cap);

            // The held endpoint has its 2; another endpoint's message goes out in the slots left over.
            await dispatching.CreateEndpointAsync(receiver.Url("/lively"), "session.created");
            await dispatching.CreateSessionAsync();
            await receiver.WaitForAsync("/lively", 1, timeout: TimeSpan.FromSeconds(4));
            Assert.False(release.Task.IsCompleted);
            Assert.Equal(Cap, receiver.MaxInFlightAt("/held"));
        }
        finally
        {
            release.SetResult();
        }
    }

    private async Task<string> CreateKeyAsync(string user)
    {
        var created = await ApiProcess.RunAsync(Token, ["keys", "create", "--user", user, .. Settings()]);
        Assert.True(created.Code == CommandLine.Ok, created.Error);
        return created.LastLine;
    }

    private static async Task<System.Text.Json.JsonElement[]> WaitForSucceededAsync(HttpClient client, string endpointId, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var succeeded = await client.DeliveriesAsync(endpointId, "succeeded");
            if (succeeded.Length >= count || DateTime.UtcNow > deadline)
            {
                return succeeded;
            }

            await Task.Delay(100, Token);
        }
    }
}
