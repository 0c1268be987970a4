using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace MobZ.Rtc.Transport.Egress;

/// <summary>
/// Linux's <c>sockaddr_in</c> / <c>sockaddr_in6</c> as the kernel reads them from <c>msg_name</c>, written and read by
/// hand rather than trusting a managed type's buffer to match:
/// <code>
/// sockaddr_in  (16 bytes): u16 family (host order, AF_INET = 2)   | u16 port (network order) | 4 address | 8 zero
/// sockaddr_in6 (28 bytes): u16 family (host order, AF_INET6 = 10) | u16 port (network order)
///                          | u32 flowinfo (network order) | 16 address | u32 scope_id (host order)
/// </code>
/// A dual-stack socket bound to <c>::</c> sees IPv4 remotes as <c>::ffff:a.b.c.d</c> in a sockaddr_in6.
/// </summary>
internal static class LinuxSockAddr
{
    /// <summary>sizeof(sockaddr_in6), the largest we write or accept.</summary>
    public const int MaxLength = 28;

    public const ushort AfInet = 2;
    public const ushort AfInet6 = 10;
    private const int Inet4Length = 16;

    /// <summary>Writes <paramref name="endPoint"/> for a socket of <paramref name="socketFamily"/> (an IPv4 remote on
    /// an IPv6 socket becomes v4-mapped); returns the length, 0 when it cannot be expressed (IPv6 on an IPv4
    /// socket).</summary>
    public static int Write(IPEndPoint endPoint, AddressFamily socketFamily, Span<byte> destination)
    {
        var address = endPoint.Address;
        if (socketFamily == AddressFamily.InterNetworkV6 && address.AddressFamily == AddressFamily.InterNetwork)
            address = address.MapToIPv6();
        destination[..MaxLength].Clear();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            if (socketFamily != AddressFamily.InterNetwork)
                return 0;
            MemoryMarshal.Write(destination, AfInet);
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)endPoint.Port);
            address.TryWriteBytes(destination.Slice(4, 4), out _);
            return Inet4Length;
        }

        if (socketFamily != AddressFamily.InterNetworkV6)
            return 0;
        MemoryMarshal.Write(destination, AfInet6);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)endPoint.Port);
        address.TryWriteBytes(destination.Slice(8, 16), out _);
        MemoryMarshal.Write(destination[24..], (uint)address.ScopeId);
        return MaxLength;
    }

    /// <summary>Copies a sockaddr the kernel filled in (<c>msg_name</c> of a received datagram) into
    /// <paramref name="target"/>, so the managed code that reads <see cref="SocketAddress"/> sees the sender. False for
    /// a family or length we do not serve.</summary>
    public static bool TryCopyTo(ReadOnlySpan<byte> native, SocketAddress target)
    {
        if (native.Length < 2)
            return false;
        ushort family = MemoryMarshal.Read<ushort>(native);
        int length = family switch
        {
            AfInet when target.Family == AddressFamily.InterNetwork => Inet4Length,
            AfInet6 when target.Family == AddressFamily.InterNetworkV6 => MaxLength,
            _ => 0,
        };
        if (length == 0 || native.Length < length || target.Buffer.Length < length)
            return false;
        // On Linux .NET keeps SocketAddress in the native layout (the same bytes it hands to recvfrom), which
        // LinuxSocketCallsTests checks against IPEndPoint.Serialize for both families.
        native[..length].CopyTo(target.Buffer.Span);
        target.Size = length;
        return true;
    }
}
