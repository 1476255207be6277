using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Runtype.Api.Tests.Infrastructure;

/// <summary>
/// A stand-in OpenTelemetry collector on a loopback port: accepts OTLP/HTTP (protobuf) exports and keeps each body by
/// signal (<c>/v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>). Tests look for strings and ids in what arrived.
/// </summary>
public sealed class OtlpCollector : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _exports = new();
    private readonly Task _loop;

    public OtlpCollector()
    {
        Address = new Uri($"http://127.0.0.1:{ApiProcess.FreePort()}/");
        _listener.Prefixes.Add(Address.ToString());
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri Address { get; }

    /// <summary>Waits until an export to <paramref name="path"/> holds every one of <paramref name="needles"/>; false after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForAsync(string path, TimeSpan timeout, params byte[][] needles)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_exports.Any(e => e.Path == path && needles.All(n => e.Body.AsSpan().IndexOf(n) >= 0)))
            {
                return true;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        return false;
    }

    /// <summary>The printable runs of the bodies sent to <paramref name="path"/>, for failure messages.</summary>
    public string Strings(string path) =>
        string.Join(" | ", _exports.Where(e => e.Path == path).Select(e => new string([.. Encoding.UTF8.GetString(e.Body).Select(c => char.IsControl(c) ? ' ' : c)])));

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _exports.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }
}
