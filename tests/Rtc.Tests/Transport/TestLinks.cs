using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace MobZ.Rtc.Tests.Transport;

/// <summary>How <see cref="TestWebRtcClient"/> reaches the transport: datagram by datagram, whatever carries
/// them.</summary>
internal interface ITestLink : IDisposable
{
    IPEndPoint LocalEndPoint { get; }

    void Send(ReadOnlySpan<byte> datagram);

    /// <summary>True when <see cref="Receive"/> has a datagram without waiting long.</summary>
    bool Poll(TimeSpan timeout, SelectMode mode);

    /// <summary>The next datagram into <paramref name="buffer"/>; 0 when the link closed.</summary>
    int Receive(Span<byte> buffer);
}

/// <summary>A connected UDP socket on loopback.</summary>
internal sealed class UdpLink : ITestLink
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    public UdpLink(IPEndPoint server, IPEndPoint? local = null)
    {
        _socket.Bind(local ?? new IPEndPoint(IPAddress.Loopback, 0));
        _socket.Connect(server);
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public void Send(ReadOnlySpan<byte> datagram) => _socket.Send(datagram);

    public bool Poll(TimeSpan timeout, SelectMode mode) => _socket.Poll(timeout, mode);

    public int Receive(Span<byte> buffer) => _socket.Receive(buffer);

    public void Dispose() => _socket.Dispose();
}

/// <summary>One TCP connection carrying RFC 4571 frames (2-byte length, then the packet), as a browser's ICE-TCP
/// does.</summary>
internal sealed class TcpFrameLink : ITestLink
{
    private readonly byte[] _pending = new byte[64 * 1024];
    private int _pendingLength;

    public TcpFrameLink(IPEndPoint server, IPEndPoint? local = null)
    {
        Socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (local is not null)
            Socket.Bind(local);
        Socket.Connect(server);
    }

    public Socket Socket { get; }

    public IPEndPoint LocalEndPoint => (IPEndPoint)Socket.LocalEndPoint!;

    public void Send(ReadOnlySpan<byte> datagram)
    {
        var frame = new byte[datagram.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)datagram.Length);
        datagram.CopyTo(frame.AsSpan(2));
        Socket.Send(frame);
    }

    public bool Poll(TimeSpan timeout, SelectMode mode) => HasFrame() || Socket.Poll(timeout, mode);

    public int Receive(Span<byte> buffer)
    {
        while (!HasFrame())
        {
            int n = Socket.Receive(_pending.AsSpan(_pendingLength));
            if (n == 0)
                return 0;
            _pendingLength += n;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(_pending);
        _pending.AsSpan(2, length).CopyTo(buffer);
        _pending.AsSpan(2 + length, _pendingLength - 2 - length).CopyTo(_pending);
        _pendingLength -= 2 + length;
        return length;
    }

    private bool HasFrame() =>
        _pendingLength >= 2 && _pendingLength >= 2 + BinaryPrimitives.ReadUInt16BigEndian(_pending);

    public void Dispose() => Socket.Dispose();
}
