using System.Net;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Platform;

/// <summary>
/// The live stream with two real replicas on one database: a stream served by one replica delivers what is written
/// through the other, which it can only learn of by polling the database (docs/live-progress.md).
/// </summary>
public abstract class StreamAcrossReplicasTests(TwoReplicas replicas)
{
    [Fact]
    public async Task A_stream_on_one_replica_delivers_events_appended_through_the_other_and_ends_with_the_session()
    {
        using var a = replicas.A.CreateClient(replicas.Key);
        using var b = replicas.B.CreateClient(replicas.Key);
        var id = (await a.CreateSessionAsync()).Id();
        await using var stream = await EventStreamReader.OpenAsync(a, id);

        using var appended = await b.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress","message":"written on B"}""");
        Assert.Equal(HttpStatusCode.Created, appended.StatusCode);
        var first = await stream.NextEventAsync();
        await b.UpdateSessionAsync(id, """{"status":"cancelled"}""");
        var rest = await stream.ReadToEndAsync();

        Assert.Equal((await appended.ReadJsonAsync()).Id(), first.Id);
        Assert.Contains("written on B", first.Data, StringComparison.Ordinal);
        Assert.Equal("status_changed", Assert.Single(rest, m => !m.IsComment).Event);
        Assert.Equal("end: the session is cancelled", rest[^1].Comment);
    }
}
