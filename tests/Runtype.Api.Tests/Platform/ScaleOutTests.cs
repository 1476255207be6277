using System.Net;
using Runtype.Api.Cli;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Platform;

/// <summary>
/// Two real API processes over one database, as replicas behind a load balancer (docs/deployment.md): the schema
/// is migrated once with the <c>migrate</c> verb, both replicas start with <c>Database:MigrateOnStartup=false</c>.
/// One fixture per provider (the suites); where the database cannot run here, nothing starts and the tests skip.
/// </summary>
public abstract class TwoReplicas(ProcessDatabase database) : IAsyncLifetime
{
    public ApiServer A { get; private set; } = null!;

    public ApiServer B { get; private set; } = null!;

    /// <summary>A key of user <c>user_replicas</c>, for tests that need no key of their own.</summary>
    public string Key { get; private set; } = null!;

    /// <summary>The configuration every process gets: one database, no migration at start (and a fixture's own).</summary>
    public string[] Settings => [.. database.Settings, "--Database:MigrateOnStartup", "false", .. MoreSettings];

    /// <summary>What a fixture adds to <see cref="Settings"/> (e.g. a Redis).</summary>
    protected virtual IEnumerable<string> MoreSettings => [];

    /// <summary>Why these replicas cannot run here (the database, or what a fixture adds); null when they can.</summary>
    protected virtual string? SkipReason => database.SkipReason;

    /// <summary>Reports the calling test as skipped when the database cannot run here; test classes call it first.</summary>
    public TwoReplicas RequireDatabase()
    {
        Assert.SkipWhen(SkipReason is not null, SkipReason ?? string.Empty);
        return this;
    }

    public async ValueTask InitializeAsync()
    {
        if (SkipReason is not null)
        {
            return;
        }

        var migrated = await ApiProcess.RunAsync(CancellationToken.None, ["migrate", .. Settings]);
        if (migrated.Code != CommandLine.Ok)
        {
            throw new InvalidOperationException($"migrate failed ({migrated.Code}): {migrated.Error}");
        }

        Task<ApiServer>[] servers = [ApiProcess.StartServerAsync(CancellationToken.None, Settings), ApiProcess.StartServerAsync(CancellationToken.None, Settings)];
        try
        {
            await Task.WhenAll(servers);
        }
        catch
        {
            // One replica did not come up: stop the other before failing.
            foreach (var started in servers.Where(s => s.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }

            throw;
        }

        (A, B) = (servers[0].Result, servers[1].Result);

        // After the replicas are up: a `keys create` racing two starting replicas on SQLite can meet 'database is locked'.
        var created = await ApiProcess.RunAsync(CancellationToken.None, ["keys", "create", "--user", "user_replicas", .. Settings]);
        if (created.Code != CommandLine.Ok)
        {
            throw new InvalidOperationException($"keys create failed ({created.Code}): {created.Error}");
        }

        Key = created.LastLine;
    }

    public async ValueTask DisposeAsync()
    {
        if (A is not null)
        {
            // Both or neither: they are assigned together once both are ready.
            await A.DisposeAsync();
            await B.DisposeAsync();
        }

        database.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs a <c>keys</c> verb against the replicas' database.</summary>
    public Task<ProcessResult> KeysAsync(params string[] args) => ApiProcess.RunAsync(TestContext.Current.CancellationToken, ["keys", .. args, .. Settings]);
}

public sealed class TwoReplicasOnSqlite() : TwoReplicas(new SqliteProcessDatabase());

public sealed class TwoReplicasOnPostgreSql(PostgreSqlServer server) : TwoReplicas(new PostgreSqlProcessDatabase(server));

public abstract class ScaleOutTests(TwoReplicas replicas)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_replica_serves_at_once_what_the_other_wrote()
    {
        var created = await replicas.KeysAsync("create", "--user", "user_scale", "--org", "org_scale");
        Assert.True(created.Code == CommandLine.Ok, created.Error);
        var keyId = created.LastLine[3..19];
        using var a = replicas.A.CreateClient(created.LastLine);
        using var b = replicas.B.CreateClient(created.LastLine);

        // Created on A, read, changed and appended to on B.
        var id = (await a.CreateSessionAsync("""{"prd":{"title":"Scale"}}""")).Id();
        var readOnB = await b.GetSessionAsync(id);
        var patchedOnB = await b.UpdateSessionAsync(id, """{"status":"planning","plan":{"steps":2}}""");
        using var appendedOnB = await b.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress","payload":{"n":1}}""");
        Assert.Equal(HttpStatusCode.Created, appendedOnB.StatusCode);

        // A sees every change at once: the session, the event at the Location B gave, the list.
        using var eventOnA = await a.GetAsync(appendedOnB.Headers.Location, Token);
        var readOnA = await a.GetSessionAsync(id);
        using var listOnA = await a.GetAsync($"{Wire.Sessions}?status=planning", Token);

        Assert.Equal("user_scale", readOnB.GetProperty("userId").GetString());
        Assert.Equal("""{"title":"Scale"}""", readOnB.GetProperty("prd").GetRawText());
        Assert.Equal("planning", patchedOnB.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, eventOnA.StatusCode);
        Assert.Equal("planning", readOnA.GetProperty("status").GetString());
        Assert.Equal("""{"steps":2}""", readOnA.GetProperty("plan").GetRawText());
        Assert.Equal(["status_changed", "progress"], readOnA.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        var listed = await listOnA.ReadJsonAsync();
        Assert.Equal(id, Assert.Single(listed.GetProperty("data").EnumerateArray()).Id());

        // Revoked from the command line: refused by both replicas on their next request.
        var revoked = await replicas.KeysAsync("revoke", keyId);
        Assert.True(revoked.Code == CommandLine.Ok, revoked.Error);
        using var afterOnA = await a.GetAsync($"{Wire.Sessions}/{id}", Token);
        using var afterOnB = await b.GetAsync($"{Wire.Sessions}/{id}", Token);
        Assert.Equal(HttpStatusCode.Unauthorized, afterOnA.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterOnB.StatusCode);
    }

    [Fact]
    public async Task ETags_hold_across_replicas()
    {
        using var a = replicas.A.CreateClient(replicas.Key);
        using var b = replicas.B.CreateClient(replicas.Key);
        var id = (await a.CreateSessionAsync()).Id();

        using var readOnA = await a.GetAsync($"{Wire.Sessions}/{id}", Token);
        using var readOnB = await b.GetAsync($"{Wire.Sessions}/{id}", Token);
        var etag = readOnA.Headers.ETag!.Tag;
        using var patchedOnB = await b.SendJsonAsync(HttpMethod.Patch, $"{Wire.Sessions}/{id}", """{"plan":{"v":1}}""", r => r.Headers.TryAddWithoutValidation("If-Match", etag));
        using var staleOnA = await a.SendJsonAsync(HttpMethod.Patch, $"{Wire.Sessions}/{id}", """{"plan":{"v":2}}""", r => r.Headers.TryAddWithoutValidation("If-Match", etag));

        Assert.Equal(etag, readOnB.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, patchedOnB.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, staleOnA.StatusCode);
    }

    [Fact]
    public async Task Appends_spread_over_both_replicas_at_once_are_all_kept_in_one_order()
    {
        using var a = replicas.A.CreateClient(replicas.Key);
        using var b = replicas.B.CreateClient(replicas.Key);
        var id = (await a.CreateSessionAsync()).Id();
        const int Appends = 24;

        var responses = await Task.WhenAll(Enumerable.Range(0, Appends).Select(i =>
            (i % 2 == 0 ? a : b).PostJsonAsync($"{Wire.Sessions}/{id}/events", "{\"type\":\"progress\",\"payload\":{\"n\":" + i + "}}")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        foreach (var response in responses)
        {
            response.Dispose();
        }

        var fromA = (await a.GetSessionAsync(id)).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("payload").GetProperty("n").GetInt32()).ToArray();
        var fromB = (await b.GetSessionAsync(id)).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("payload").GetProperty("n").GetInt32()).ToArray();
        Assert.Equal(Enumerable.Range(0, Appends), fromA.Order());
        Assert.Equal(fromA, fromB);
    }

    [Fact]
    public async Task The_healthcheck_verb_exits_0_for_a_ready_replica_and_1_for_an_address_nobody_serves()
    {
        var ready = await ApiProcess.RunAsync(Token, HealthCheckCommand.Verb, new Uri(replicas.A.Address, "/health/ready").ToString());
        var nobody = await ApiProcess.RunAsync(Token, HealthCheckCommand.Verb, $"http://127.0.0.1:{ApiProcess.FreePort()}/health/ready");
        var bad = await ApiProcess.RunAsync(Token, HealthCheckCommand.Verb, "not a url");

        Assert.True(ready.Code == CommandLine.Ok, ready.Error);
        Assert.Equal("200 Healthy", ready.LastLine);
        Assert.Equal(CommandLine.Failed, nobody.Code);
        Assert.StartsWith("error:", nobody.Error, StringComparison.Ordinal);
        Assert.Equal(CommandLine.Usage, bad.Code);
    }
}
