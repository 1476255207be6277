using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Application.Common;

namespace Runtype.Api.Tests.Persistence;

/// <summary>
/// The real host, with the database connections its API calls hold counted (the real one still does the work). Only
/// the holds made during a call count: the background services hold theirs too, at moments of their own.
/// </summary>
public sealed class CountedConnectionsApiFixture : SqliteApiFixture
{
    public ConnectionHolds Holds { get; } = new();

    protected override void ConfigureServices(IServiceCollection services)
    {
        var real = services.Single(d => d.ServiceType == typeof(ICallConnection)).ImplementationType!;
        services.AddScoped(real);
        services.AddHttpContextAccessor();
        services.AddScoped<ICallConnection>(sp =>
            sp.GetRequiredService<IHttpContextAccessor>().HttpContext is null
                ? (ICallConnection)sp.GetRequiredService(real)
                : new CountedCallConnection((ICallConnection)sp.GetRequiredService(real), Holds));
    }

    public sealed class ConnectionHolds
    {
        private int _taken;
        private int _open;

        public int Taken => Volatile.Read(ref _taken);

        public int Open => Volatile.Read(ref _open);

        public void Take()
        {
            Interlocked.Increment(ref _taken);
            Interlocked.Increment(ref _open);
        }

        public void Release() => Interlocked.Decrement(ref _open);
    }

    private sealed class CountedCallConnection(ICallConnection real, ConnectionHolds holds) : ICallConnection
    {
        public async Task<IAsyncDisposable> HoldOpenAsync(CancellationToken cancellationToken)
        {
            var hold = await real.HoldOpenAsync(cancellationToken);
            holds.Take();
            return new Counted(hold, holds);
        }

        private sealed class Counted(IAsyncDisposable hold, ConnectionHolds holds) : IAsyncDisposable
        {
            public async ValueTask DisposeAsync()
            {
                await hold.DisposeAsync();
                holds.Release();
            }
        }
    }
}

/// <summary>
/// One database connection per API call with a credential, released when the call is answered; none for calls that
/// cannot reach the database (no credential, no API action); an event stream's only until its answer starts, as it must
/// hold nothing while it waits.
/// </summary>
public sealed class ConnectionPerCallTests(CountedConnectionsApiFixture api) : IClassFixture<CountedConnectionsApiFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_call_with_a_credential_holds_one_connection_and_releases_it_when_answered()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        var before = api.Holds.Taken;

        using var get = await user.Client.GetAsync($"{Wire.Sessions}/{id}", Token);
        using var list = await user.Client.GetAsync(Wire.Sessions, Token);
        using var append = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"note"}""");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Created], [get.StatusCode, list.StatusCode, append.StatusCode]);
        Assert.Equal(3, api.Holds.Taken - before);
        await AllReleasedAsync();
    }

    [Fact]
    public async Task Calls_without_a_credential_or_outside_the_api_take_none()
    {
        using var anonymous = api.CreateAnonymousClient();
        var before = api.Holds.Taken;

        using var unauthenticated = await anonymous.GetAsync(Wire.Sessions, Token);
        using var health = await anonymous.GetAsync("/health/live", Token);
        var user = await api.CreateUserAsync();
        var afterUser = api.Holds.Taken;
        using var unknown = await user.Client.GetAsync("/v1/nothing-here", Token);

        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(before, afterUser);
        Assert.Equal(afterUser, api.Holds.Taken);
    }

    [Fact]
    public async Task An_open_event_stream_holds_a_connection_to_open_and_none_while_it_waits()
    {
        var user = await api.CreateUserAsync();
        var id = (await user.Client.CreateSessionAsync()).Id();
        await AllReleasedAsync();
        var before = api.Holds.Taken;

        await using var stream = await EventStreamReader.OpenAsync(user.Client, id);

        Assert.True(api.Holds.Taken > before, "the stream's opening (the key lookup, the session read) held no connection");
        await AllReleasedAsync(); // open, and waiting
    }

    /// <summary>The in-memory server hands the answer over before the pipeline has unwound; the release follows at once.</summary>
    private async Task AllReleasedAsync()
    {
        for (var i = 0; i < 100 && api.Holds.Open > 0; i++)
        {
            await Task.Delay(50, Token);
        }

        Assert.Equal(0, api.Holds.Open);
    }
}
