using System.Net;
using System.Net.Sockets;

namespace Runtype.Domain.Webhooks;

/// <summary>
/// Which addresses a webhook may be delivered to: not loopback, private, link-local, unspecified, multicast or reserved
/// (an address of the service's own network is what a server-side request forgery aims at). IPv4 addresses written
/// inside IPv6 ones (mapped, compatible, NAT64) are judged as the IPv4 address they carry.
/// </summary>
public static class NetworkAddresses
{
    private static readonly (IPAddress Network, int Bits, string Kind)[] RefusedV4 =
    [
        (IPAddress.Parse("0.0.0.0"), 8, "unspecified"),
        (IPAddress.Parse("10.0.0.0"), 8, "private"),
        (IPAddress.Parse("100.64.0.0"), 10, "private (shared address space)"),
        (IPAddress.Parse("127.0.0.0"), 8, "loopback"),
        (IPAddress.Parse("169.254.0.0"), 16, "link-local"),
        (IPAddress.Parse("172.16.0.0"), 12, "private"),
        (IPAddress.Parse("192.0.0.0"), 24, "reserved"),
        (IPAddress.Parse("192.168.0.0"), 16, "private"),
        (IPAddress.Parse("198.18.0.0"), 15, "reserved"),
        (IPAddress.Parse("224.0.0.0"), 4, "multicast"),
        (IPAddress.Parse("240.0.0.0"), 4, "reserved"),
    ];

    private static readonly (IPAddress Network, int Bits, string Kind)[] RefusedV6 =
    [
        (IPAddress.IPv6Any, 128, "unspecified"),
        (IPAddress.IPv6Loopback, 128, "loopback"),
        (IPAddress.Parse("fc00::"), 7, "private"),
        (IPAddress.Parse("fe80::"), 10, "link-local"),
        (IPAddress.Parse("fec0::"), 10, "private (site-local)"),
        (IPAddress.Parse("ff00::"), 8, "multicast"),
    ];

    private static readonly IPAddress Nat64 = IPAddress.Parse("64:ff9b::");

    /// <summary>Why <paramref name="address"/> may not be a webhook's target ("loopback", "private", ...), or null when it may.</summary>
    public static string? RefusalOf(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.IsIPv4MappedToIPv6)
            {
                return RefusalOf(address.MapToIPv4());
            }

            var bytes = address.GetAddressBytes();
            if (InNetwork(bytes, Nat64.GetAddressBytes(), 96) || IsIPv4Compatible(bytes))
            {
                return RefusalOf(new IPAddress(bytes[12..]));
            }

            return Match(bytes, RefusedV6);
        }

        return address.AddressFamily == AddressFamily.InterNetwork
            ? (address.Equals(IPAddress.Broadcast) ? "broadcast" : Match(address.GetAddressBytes(), RefusedV4))
            : "not an IP address";
    }

    private static string? Match(byte[] bytes, (IPAddress Network, int Bits, string Kind)[] ranges)
    {
        foreach (var (network, bits, kind) in ranges)
        {
            if (InNetwork(bytes, network.GetAddressBytes(), bits))
            {
                return kind;
            }
        }

        return null;
    }

    /// <summary>::a.b.c.d (deprecated, but still routed by some stacks); :: and ::1 themselves are judged as IPv6.</summary>
    private static bool IsIPv4Compatible(byte[] bytes) =>
        bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && (bytes[12] | bytes[13]) != 0;

    private static bool InNetwork(byte[] address, byte[] network, int bits)
    {
        if (address.Length != network.Length)
        {
            return false;
        }

        var whole = bits / 8;
        if (!address.AsSpan(0, whole).SequenceEqual(network.AsSpan(0, whole)))
        {
            return false;
        }

        var rest = bits % 8;
        if (rest == 0)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - rest));
        return (address[whole] & mask) == (network[whole] & mask);
    }
}
