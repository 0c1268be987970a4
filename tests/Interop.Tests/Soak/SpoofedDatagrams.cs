using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace MobZ.Interop.Tests.Soak;

/// <summary>
/// Sends UDP datagrams with any source address and port — another peer's — through a raw IPv4 socket whose IP
/// header we write ourselves (IPPROTO_RAW implies IP_HDRINCL; needs root or CAP_NET_RAW). On loopback the kernel
/// delivers them as if that peer had sent them: the off-path attacker who guessed a call's 4-tuple.
/// </summary>
public sealed class SpoofedDatagrams : IDisposable
{
    private readonly Socket _raw = new(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Raw);
    private readonly byte[] _packet = new byte[20 + 8 + 1500];
    private ushort _id;

    public SpoofedDatagrams() => _raw.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.HeaderIncluded, true);

    public void Send(IPEndPoint from, IPEndPoint to, ReadOnlySpan<byte> payload)
    {
        int total = 20 + 8 + payload.Length;
        var ip = _packet.AsSpan(0, 20);
        ip.Clear();
        ip[0] = 0x45; // IPv4, 5 words of header
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)total);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], ++_id);
        ip[8] = 64; // TTL
        ip[9] = (byte)ProtocolType.Udp;
        from.Address.TryWriteBytes(ip[12..], out _);
        to.Address.TryWriteBytes(ip[16..], out _);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip));

        var udp = _packet.AsSpan(20, 8);
        BinaryPrimitives.WriteUInt16BigEndian(udp, (ushort)from.Port);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], (ushort)to.Port);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(8 + payload.Length));
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], 0); // no checksum: allowed over IPv4 (RFC 768)
        payload.CopyTo(_packet.AsSpan(28));
        _raw.SendTo(_packet, 0, total, SocketFlags.None, new IPEndPoint(to.Address, 0));
    }

    private static ushort Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (int i = 0; i < header.Length; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        while (sum > 0xFFFF)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    public void Dispose() => _raw.Dispose();
}
