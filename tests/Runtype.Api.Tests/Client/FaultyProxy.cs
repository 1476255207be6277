using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Runtype.Api.Tests.Client;

/// <summary>
/// A TCP proxy on loopback in front of a real server that loses answers on purpose: <see cref="DropNextAnswersAsync"/>
/// forwards the next requests but closes the client's connection instead of passing the answer on (the server did the
/// work; the client saw nothing), and <see cref="CutAll"/> breaks every open connection (a dropped event stream).
/// </summary>
public sealed class FaultyProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<TcpClient, TcpClient> _open = new();
    private readonly Task _accepting;
    private int _drops;

    public FaultyProxy(Uri target)
    {
        _target = target;
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accepting = AcceptAsync();
    }

    public Uri Address { get; }

    /// <summary>How many connections the proxy has accepted.</summary>
    public int Connections { get; private set; }

    /// <summary>Breaks the open connections, so the next request opens a new one, and loses the answers of the next <paramref name="count"/> connections.</summary>
    public async Task DropNextAnswersAsync(int count)
    {
        CutAll();
        await Task.Delay(TimeSpan.FromMilliseconds(200)); // the client's pool sees the connections closed
        Interlocked.Exchange(ref _drops, count);
    }

    public void CutAll()
    {
        foreach (var (client, server) in _open)
        {
            client.Client?.Close();
            server.Client?.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CutAll();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Connections++;
            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var server = new TcpClient();
        using (client)
        {
            try
            {
                await server.ConnectAsync(_target.Host, _target.Port, _stop.Token);
                _open[client] = server;
                var drop = Interlocked.Decrement(ref _drops) >= 0;
                var upstream = client.GetStream().CopyToAsync(server.GetStream(), _stop.Token);
                if (drop)
                {
                    // Wait for the first bytes of the answer, then hang up on the client without passing them on.
                    var buffer = new byte[1];
                    _ = await server.GetStream().ReadAsync(buffer, _stop.Token);
                    return;
                }

                var downstream = server.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
                await Task.WhenAny(upstream, downstream);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // a connection cut on purpose, or the proxy stopping
            }
            finally
            {
                _open.TryRemove(client, out _);
            }
        }
    }
}
