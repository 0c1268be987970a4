using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MobZ.Rtc.Transport.Egress;

namespace MobZ.Rtc.Tests.Transport.Egress;

/// <summary>The native layouts sendmmsg reads, checked against the LP64 Linux ABI and the kernel itself.</summary>
public class LinuxSocketCallsTests
{
    [Fact]
    public void Message_headers_have_the_lp64_linux_sizes_and_offsets()
    {
        Assert.Equal(16, Unsafe.SizeOf<IoVec>());
        Assert.Equal(56, Unsafe.SizeOf<MessageHeader>());
        Assert.Equal(64, Unsafe.SizeOf<MultiMessageHeader>());
        Assert.Equal(8, (int)Marshal.OffsetOf<MessageHeader>(nameof(MessageHeader.NameLength)));
        Assert.Equal(16, (int)Marshal.OffsetOf<MessageHeader>(nameof(MessageHeader.Vectors)));
        Assert.Equal(24, (int)Marshal.OffsetOf<MessageHeader>(nameof(MessageHeader.VectorCount)));
        Assert.Equal(32, (int)Marshal.OffsetOf<MessageHeader>(nameof(MessageHeader.Control)));
        Assert.Equal(40, (int)Marshal.OffsetOf<MessageHeader>(nameof(MessageHeader.ControlLength)));
        Assert.Equal(48, (int)Marshal.OffsetOf<MessageHeader>(nameof(MessageHeader.Flags)));
        Assert.Equal(56, (int)Marshal.OffsetOf<MultiMessageHeader>(nameof(MultiMessageHeader.Length)));
    }

    [Fact]
    public void An_ipv4_sockaddr_is_family_2_port_big_endian_then_the_address()
    {
        Span<byte> native = stackalloc byte[LinuxSockAddr.MaxLength];
        int length = LinuxSockAddr.Write(
            new IPEndPoint(IPAddress.Parse("192.0.2.10"), 0x1234),
            AddressFamily.InterNetwork,
            native
        );

        Assert.Equal(16, length);
        Assert.Equal(new byte[] { 2, 0, 0x12, 0x34, 192, 0, 2, 10, 0, 0, 0, 0, 0, 0, 0, 0 }, native[..16].ToArray());
    }

    [Fact]
    public void An_ipv6_sockaddr_has_flowinfo_before_and_the_scope_after_the_address()
    {
        Span<byte> native = stackalloc byte[LinuxSockAddr.MaxLength];
        var address = IPAddress.Parse("fe80::1%3");
        int length = LinuxSockAddr.Write(new IPEndPoint(address, 443), AddressFamily.InterNetworkV6, native);

        Assert.Equal(28, length);
        Assert.Equal(new byte[] { 10, 0, 0x01, 0xBB, 0, 0, 0, 0 }, native[..8].ToArray());
        Assert.Equal(address.GetAddressBytes(), native.Slice(8, 16).ToArray());
        Assert.Equal(new byte[] { 3, 0, 0, 0 }, native[24..28].ToArray());
    }

    [Fact]
    public void An_ipv4_remote_on_a_dual_stack_socket_is_written_v4_mapped_and_ipv6_on_ipv4_cannot_be()
    {
        Span<byte> native = stackalloc byte[LinuxSockAddr.MaxLength];
        int length = LinuxSockAddr.Write(
            new IPEndPoint(IPAddress.Parse("198.51.100.7"), 9),
            AddressFamily.InterNetworkV6,
            native
        );

        Assert.Equal(28, length);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 198, 51, 100, 7 }, native[8..24].ToArray());
        Assert.Equal(
            0,
            LinuxSockAddr.Write(new IPEndPoint(IPAddress.IPv6Loopback, 9), AddressFamily.InterNetwork, native)
        );
    }

    [Theory]
    [InlineData("127.0.0.1", 5000)]
    [InlineData("::1", 5001)]
    [InlineData("::ffff:10.0.0.1", 65535)]
    public void Dotnet_keeps_socket_addresses_in_the_native_layout_on_linux(string address, int port)
    {
        Assert.True(OperatingSystem.IsLinux(), "the Munit runs on Linux; this checks Linux's layout");
        var endPoint = new IPEndPoint(IPAddress.Parse(address), port);
        var managed = endPoint.Serialize();
        Span<byte> native = stackalloc byte[LinuxSockAddr.MaxLength];
        int length = LinuxSockAddr.Write(endPoint, endPoint.AddressFamily, native);

        Assert.Equal(length, managed.Size);
        Assert.Equal(native[..length].ToArray(), managed.Buffer.Span[..length].ToArray());
        var copy = new SocketAddress(endPoint.AddressFamily);
        Assert.True(LinuxSockAddr.TryCopyTo(native[..length], copy));
        Assert.Equal(endPoint, endPoint.Create(copy));
    }

    [Fact]
    public void Sendmmsg_delivers_one_batch_to_ipv4_and_ipv6_receivers_with_the_right_bytes()
    {
        Assert.True(OperatingSystem.IsLinux() && Environment.Is64BitProcess, "sendmmsg is 64-bit Linux's");
        using var sender = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp)
        {
            DualMode = true,
        };
        sender.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
        using var v4 = Receiver(IPAddress.Loopback);
        using var v6 = Receiver(IPAddress.IPv6Loopback);
        Assert.True(SendmmsgSender.IsAvailable(sender, out var unavailable), unavailable);
        var egress = new SendmmsgSender(sender, 8);
        var batch = new UdpEgressBatch(8);
        var to4 = new UdpDestination((IPEndPoint)v4.LocalEndPoint!, AddressFamily.InterNetworkV6);
        var to6 = new UdpDestination((IPEndPoint)v6.LocalEndPoint!, AddressFamily.InterNetworkV6);
        for (byte i = 0; i < 6; i++)
        {
            var to = i % 2 == 0 ? to4 : to6;
            batch.Add([i, (byte)(i * 3), 0xEE], to.Native, to.Address, null);
        }

        var counters = new EgressCounters();
        int accepted = batch.Flush(egress, counters);

        Assert.Equal(6, accepted);
        Assert.Equal(1, counters.Syscalls);
        Assert.Equal(
            [
                [0, 0, 0xEE],
                [2, 6, 0xEE],
                [4, 12, 0xEE],
            ],
            Drain(v4, 3)
        );
        Assert.Equal(
            [
                [1, 3, 0xEE],
                [3, 9, 0xEE],
                [5, 15, 0xEE],
            ],
            Drain(v6, 3)
        );
    }

    private static Socket Receiver(IPAddress address)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5000 };
        socket.Bind(new IPEndPoint(address, 0));
        return socket;
    }

    private static List<byte[]> Drain(Socket socket, int count)
    {
        var received = new List<byte[]>();
        var buffer = new byte[64];
        for (int i = 0; i < count; i++)
        {
            int n = socket.Receive(buffer);
            received.Add(buffer[..n]);
        }

        return received;
    }
}
