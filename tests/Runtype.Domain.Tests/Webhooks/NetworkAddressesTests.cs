using System.Net;
using Runtype.Domain.Webhooks;

namespace Runtype.Domain.Tests.Webhooks;

public sealed class NetworkAddressesTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.10.1", "private")]
    [InlineData("100.127.0.1", "private (shared address space)")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("0.1.2.3", "unspecified")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("::1", "loopback")]
    [InlineData("::", "unspecified")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fc00::1", "private")]
    [InlineData("fdff::1", "private")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:192.168.0.1", "private")]
    [InlineData("64:ff9b::7f00:1", "loopback")]
    [InlineData("::10.0.0.1", "private")]
    public void Refuses_addresses_of_the_services_own_networks(string address, string kind) =>
        Assert.Equal(kind, NetworkAddresses.RefusalOf(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("100.63.255.255")]
    [InlineData("203.0.113.10")]
    [InlineData("1.1.1.1")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    public void Accepts_public_addresses(string address) =>
        Assert.Null(NetworkAddresses.RefusalOf(IPAddress.Parse(address)));
}
