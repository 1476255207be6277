using System.Net;
using System.Net.Sockets;
using Runtype.Application.Webhooks;

namespace Runtype.Infrastructure.Webhooks;

/// <summary>
/// How the webhook client connects (its <see cref="SocketsHttpHandler.ConnectCallback"/>): the host is resolved here,
/// every address it resolves to is checked (<see cref="WebhookUrls.RefusalOf"/>), and the socket connects to one of
/// those checked addresses, never to a name resolved again later. So a name that resolved to a public address when the
/// endpoint was created, and to a private one now (DNS rebinding), is refused before a byte is sent.
/// </summary>
internal sealed class WebhookConnections(IHostAddresses addresses, WebhookSettings settings)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        IReadOnlyList<IPAddress> resolved = IPAddress.TryParse(host, out var literal) ? [literal] : await addresses.ResolveAsync(host, cancellationToken);
        if (!settings.AllowPrivateNetworks)
        {
            if (literal is null && WebhookUrls.IsLocalName(host))
            {
                throw new WebhookAddressRefusedException($"{host} is a loopback name");
            }

            if (WebhookUrls.RefusalOf(host, resolved) is { } refusal)
            {
                throw new WebhookAddressRefusedException(refusal);
            }
        }

        if (resolved.Count == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound, $"{host} does not resolve");
        }

        SocketException? last = null;
        foreach (var address in resolved)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }
}

/// <summary>The endpoint's host is, or resolves to, an address webhooks may not go to.</summary>
public sealed class WebhookAddressRefusedException(string reason) : Exception($"Refused to connect: {reason}.");

/// <summary>Name resolution by the system's resolver; a name that does not resolve has no addresses.</summary>
internal sealed class DnsHostAddresses : IHostAddresses
{
    public async Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        try
        {
            return await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException)
        {
            return [];
        }
    }
}
