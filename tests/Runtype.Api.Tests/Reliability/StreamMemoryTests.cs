using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Data.Sqlite;
using Runtype.Api.Cli;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Application.Sessions.StreamSessionEvents;

namespace Runtype.Api.Tests.Reliability;

/// <summary>
/// Event streams whose clients never read, over a large log, on the real server process: the memory they take is
/// bounded (docs/live-progress.md, "Memory"), each stalled write ends its stream within the write timeout and frees
/// its slot, and the server goes on serving everyone else.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class StreamMemoryTests
{
    /// <summary>The documented bound on what the streams of a process add to its resident memory, whatever their clients do.</summary>
    public const double BoundMiB = 200;

    private const int StuckReaders = 20;
    private const int Events = 40;
    private const int PayloadChars = 900 * 1024;
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(5);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Twenty_readers_that_never_read_a_36_MB_log_stay_within_the_bound_and_are_cut_off_within_the_write_timeout()
    {
        var folder = Directory.CreateTempSubdirectory("runtype-stream-memory-");
        try
        {
            string[] settings =
            [
                "--Database:Provider", "Sqlite", "--ConnectionStrings:Runtype", $"Data Source={Path.Combine(folder.FullName, "runtype.db")}",
                "--RateLimiting:PermitsPerMinute", "0", "--Streams:MaxPerUser", StuckReaders.ToString(CultureInfo.InvariantCulture),
                "--Streams:WriteTimeout", WriteTimeout.ToString(), "--Serilog:MinimumLevel:Default", "Warning",
                "--Serilog:MinimumLevel:Override:Serilog.AspNetCore.RequestLoggingMiddleware", "Information",
            ];
            var created = await ApiProcess.RunAsync(Token, ["keys", "create", "--user", "user_memory", .. settings]);
            Assert.True(created.Code == CommandLine.Ok, created.Error);
            var key = created.LastLine;

            // A heap limit far above the bound keeps a regression from taking the machine's memory: it fails here instead.
            var options = new ProcessOptions(Environment: new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x40000000" });
            await using var server = await ApiProcess.StartServerAsync(options, Token, settings);
            using var client = server.CreateClient(key);
            var id = (await client.CreateSessionAsync()).Id();
            var payload = new string('p', PayloadChars);
            for (var i = 0; i < Events; i++)
            {
                using var appended = await client.PostJsonAsync($"{Wire.Sessions}/{id}/events", $"{{\"type\":\"chunk\",\"payload\":{{\"i\":{i},\"v\":\"{payload}\"}}}}");
                Assert.Equal(HttpStatusCode.Created, appended.StatusCode);
            }

            // Warm up: one reader that does read gets the whole log, so what follows measures the stuck ones only.
            Assert.Equal(Events, await ReadWholeStreamAsync(server, key, id));
            var before = server.ResidentMemoryMiB;
            var peak = before;

            var stuck = await Task.WhenAll(Enumerable.Range(0, StuckReaders).Select(_ => OpenWithoutReadingAsync(server, key, id)));
            var clock = Stopwatch.StartNew();
            var bystanderSlowest = TimeSpan.Zero;
            while (CutOff(server) < StuckReaders)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"{CutOff(server)} of {StuckReaders} stuck streams were cut off in {clock.Elapsed}: {string.Join(" | ", stuck.Select(Peek))}\n{server.Log}");
                Assert.False(server.HasExited, server.Log);
                peak = Math.Max(peak, server.ResidentMemoryMiB);
                var call = Stopwatch.StartNew();
                using (var get = await client.GetAsync($"{Wire.Sessions}?limit=1", Token))
                {
                    Assert.Equal(HttpStatusCode.OK, get.StatusCode);
                }

                bystanderSlowest = call.Elapsed > bystanderSlowest ? call.Elapsed : bystanderSlowest;
                await Task.Delay(200, Token);
            }

            var cutAfter = clock.Elapsed;
            foreach (var socket in stuck)
            {
                socket.Dispose();
            }

            // Every slot is free again: as many streams as the cap open at once (none is a 429), each sending the log.
            var again = await Task.WhenAll(Enumerable.Range(0, StuckReaders).Select(_ => FirstEventAsync(server, key, id)));
            Assert.All(again, first => Assert.Equal("chunk", first));
            Assert.DoesNotContain("OutOfMemory", server.Log, StringComparison.Ordinal);
            Assert.DoesNotContain(" ERR]", server.Log, StringComparison.Ordinal);
            Assert.True(peak - before < BoundMiB, $"RSS grew from {before:0} to {peak:0} MiB with {StuckReaders} stuck readers (bound {BoundMiB} MiB)");
            Assert.True(bystanderSlowest < TimeSpan.FromSeconds(5), $"another call waited {bystanderSlowest}");
            Figures.Report($"stream memory: {StuckReaders} readers that never read a {Events * PayloadChars / (1024 * 1024)} MiB log: RSS {before:0} → peak {peak:0} MiB " +
                $"(+{peak - before:0}, bound {BoundMiB:0}); all cut off by the {WriteTimeout.TotalSeconds:0} s write timeout within {cutAfter.TotalSeconds:0} s " +
                $"({EventStreamSettings.DefaultMaxPagesInMemory} pages in memory at most); other calls meanwhile: slowest {bystanderSlowest.TotalMilliseconds:0} ms; then {StuckReaders} new streams opened");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    private static string Peek(Socket socket)
    {
        var buffer = new byte[200];
        try
        {
            var read = socket.Receive(buffer, SocketFlags.Peek);
            return Encoding.ASCII.GetString(buffer, 0, read).Split('\r')[0];
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode.ToString();
        }
    }

    /// <summary>
    /// Stuck streams the server has ended (its request log says so): by the write timeout, or by Kestrel's minimum
    /// response data rate when that comes first. The first stream, the warm-up, read the log and ended before.
    /// </summary>
    private static int CutOff(ApiServer server) =>
        server.Log.Split('\n').Count(line => line.Contains("/events/stream responded", StringComparison.Ordinal)) - 1;

    /// <summary>A stream request on a socket with a tiny receive buffer that is never read.</summary>
    private static async Task<Socket> OpenWithoutReadingAsync(ApiServer server, string key, string id)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024 };
        await socket.ConnectAsync(IPAddress.Loopback, server.Address.Port, Token);
        var request = $"GET {Wire.Sessions}/{id}/events/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nAccept: text/event-stream\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, Token);
        return socket;
    }

    private static async Task<string?> FirstEventAsync(ApiServer server, string key, string id)
    {
        using var client = server.CreateClient(key);
        await using var stream = await EventStreamReader.OpenAsync(client, id);
        return (await stream.NextEventAsync()).Event;
    }

    /// <summary>Reads a stream until the log is all in (the session stays open, so it never ends by itself); returns the events read.</summary>
    private static async Task<int> ReadWholeStreamAsync(ApiServer server, string key, string id)
    {
        using var client = server.CreateClient(key);
        await using var stream = await EventStreamReader.OpenAsync(client, id);
        for (var i = 0; i < Events; i++)
        {
            await stream.NextEventAsync();
        }

        return Events;
    }
}
