using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace MobZ.Rtc.Stun;

/// <summary>
/// An IP address and UDP port as an immutable value: a dictionary key and STUN address attribute source that needs
/// no allocation per datagram (unlike <see cref="IPEndPoint"/>, and unlike the mutable <see cref="SocketAddress"/>
/// a receive loop reuses). IPv4 is kept as its IPv4-mapped IPv6 form internally but reported as IPv4.
/// <see cref="IsTcp"/> is part of the value: an ICE-TCP connection from 192.0.2.1:5000 and UDP datagrams from
/// 192.0.2.1:5000 are different remotes (RFC 6544), so they never share a registry entry or a selected path.
/// </summary>
public readonly record struct TransportAddress
{
    private readonly ulong _high;
    private readonly ulong _low;

    private TransportAddress(ulong high, ulong low, ushort port, bool isIPv4)
    {
        _high = high;
        _low = low;
        Port = port;
        IsIPv4 = isIPv4;
    }

    public ushort Port { get; }

    public bool IsIPv4 { get; }

    /// <summary>The remote is an ICE-TCP connection (RFC 6544), not a UDP source.</summary>
    public bool IsTcp { get; private init; }

    /// <summary>The same address and port as the remote end of an ICE-TCP connection.</summary>
    public TransportAddress AsTcp() => this with { IsTcp = true };

    public bool IsEmpty => _high == 0 && _low == 0 && Port == 0;

    public static TransportAddress FromIPv4(ReadOnlySpan<byte> address, ushort port) =>
        new(0, 0x0000_FFFF_0000_0000ul | BinaryPrimitives.ReadUInt32BigEndian(address), port, true);

    public static TransportAddress FromIPv6(ReadOnlySpan<byte> address, ushort port) =>
        new(
            BinaryPrimitives.ReadUInt64BigEndian(address),
            BinaryPrimitives.ReadUInt64BigEndian(address.Slice(8)),
            port,
            false
        );

    public static TransportAddress FromIPEndPoint(IPEndPoint endPoint) => From(endPoint.Address, (ushort)endPoint.Port);

    public static TransportAddress From(IPAddress address, ushort port)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        if (written == 4)
        {
            return FromIPv4(bytes, port);
        }

        return address.IsIPv4MappedToIPv6 ? FromIPv4(bytes.Slice(12), port) : FromIPv6(bytes, port);
    }

    /// <summary>Reads a sockaddr as filled in by <see cref="Socket.ReceiveFrom(Span{byte}, SocketFlags,
    /// SocketAddress)"/>.</summary>
    public static bool TryFromSocketAddress(SocketAddress socketAddress, out TransportAddress address)
    {
        Span<byte> raw = socketAddress.Buffer.Span;
        // The port sits in network order at offset 2 in both sockaddr_in and sockaddr_in6.
        switch (socketAddress.Family)
        {
            case AddressFamily.InterNetwork when socketAddress.Size >= 8:
                address = FromIPv4(raw.Slice(4, 4), BinaryPrimitives.ReadUInt16BigEndian(raw.Slice(2)));
                return true;
            case AddressFamily.InterNetworkV6 when socketAddress.Size >= 24:
                ushort port = BinaryPrimitives.ReadUInt16BigEndian(raw.Slice(2));
                TransportAddress v6 = FromIPv6(raw.Slice(8, 16), port);
                address = v6.IsIPv4MappedV6 ? new TransportAddress(0, v6._low, port, true) : v6;
                return true;
            default:
                address = default;
                return false;
        }
    }

    private bool IsIPv4MappedV6 => _high == 0 && (_low >> 32) == 0xFFFF;

    /// <summary>Writes the 4 (IPv4) or 16 (IPv6) address bytes.</summary>
    public int WriteAddressBytes(Span<byte> destination)
    {
        if (IsIPv4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)_low);
            return 4;
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt64BigEndian(destination.Slice(8), _low);
        return 16;
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        int length = WriteAddressBytes(bytes);
        return new IPAddress(bytes[..length]);
    }

    public IPEndPoint ToIPEndPoint() => new(ToIPAddress(), Port);

    public override string ToString() => IsTcp ? "tcp/" + ToIPEndPoint() : ToIPEndPoint().ToString();
}
