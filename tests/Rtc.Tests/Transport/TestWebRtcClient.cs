using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Srtp;
using MobZ.Rtc.Stun;
using MobZ.Rtc.Transport;

namespace MobZ.Rtc.Tests.Transport;

/// <summary>
/// The client peer's parts (<see cref="IceControllingAgent"/>, <see cref="DtlsClientSession"/>, SRTP) driven step by
/// step over a test link, a UDP socket or an ICE-TCP connection, so a test can act between the steps (send raw
/// datagrams, close DTLS, protect a packet to send another way). <see cref="RtcClientPeer"/> is the same over UDP
/// in one call.
/// </summary>
internal sealed class TestWebRtcClient : IDisposable, IIceCheckSender, IDtlsDatagramSender
{
    private readonly ITestLink _socket;
    private readonly SrtpProfile[] _profiles;
    private SrtpContext? _send;
    private SrtpContext? _receive;
    private DtlsClientSession? _dtls;

    public TestWebRtcClient(IPEndPoint server, params SrtpProfile[] profiles)
        : this(new UdpLink(server), profiles) { }

    private TestWebRtcClient(ITestLink link, SrtpProfile[] profiles)
    {
        _socket = link;
        _profiles = profiles;
        Certificate = DtlsCertificate.Generate();
        Ice = IceCredentials.Generate();
    }

    /// <summary>A client whose packets go over one ICE-TCP connection (RFC 4571 frames) from <paramref name="local"/>
    /// (any port when null).</summary>
    public static TestWebRtcClient OverTcp(
        IPEndPoint server,
        IPEndPoint? local = null,
        params SrtpProfile[] profiles
    ) => new(new TcpFrameLink(server, local), profiles);

    public ITestLink Link => _socket;

    /// <summary>The client's own address (the TCP connection's local end for <see cref="OverTcp"/>).</summary>
    public IPEndPoint LocalEndPoint => _socket.LocalEndPoint;

    public DtlsCertificate Certificate { get; }

    public IceCredentials Ice { get; }

    /// <summary>The remote parameters our fake offer would carry.</summary>
    public RtcRemoteParameters Offer(DtlsFingerprint? fingerprint = null) =>
        new(Ice.Ufrag, Ice.Password, fingerprint ?? Certificate.Fingerprint, "actpass");

    public SrtpProfile Profile => _dtls?.Profile ?? default;

    public void SendRaw(ReadOnlySpan<byte> datagram) => _socket.Send(datagram);

    /// <summary>Runs ICE as the controlling agent until a check succeeds (then stops it: no consent traffic
    /// follows).</summary>
    public bool CheckConnectivity(RtcLocalParameters server, TimeSpan timeout)
    {
        using var agent = new IceControllingAgent(Ice, server.Ice.Ufrag, server.Ice.Password, this);
        agent.Start();
        Pump(
            () => agent.State != IceConnectionState.New,
            timeout,
            datagram =>
            {
                if (StunMessage.TryRead(datagram, out var response))
                    agent.HandleResponse(response);
            }
        );
        return agent.State == IceConnectionState.Connected;
    }

    /// <summary>Runs the DTLS client handshake (blocking) and installs SRTP contexts.</summary>
    public void HandshakeDtls()
    {
        _dtls = new DtlsClientSession(Certificate, null, this, _profiles);
        var handshake = _dtls.HandshakeAsync();
        Pump(() => handshake.IsCompleted, TimeSpan.FromSeconds(30), datagram => _dtls.OnDatagram(datagram));
        var (client, server) = handshake.GetAwaiter().GetResult();
        _send = new SrtpContext(client);
        _receive = new SrtpContext(server);
    }

    void IIceCheckSender.SendStun(ReadOnlySpan<byte> datagram) => _socket.Send(datagram);

    void IDtlsDatagramSender.SendDtls(ReadOnlySpan<byte> datagram) => _socket.Send(datagram);

    /// <summary>Reads the link until <paramref name="done"/>, handing each datagram to <paramref
    /// name="deliver"/>.</summary>
    private void Pump(Func<bool> done, TimeSpan timeout, SpanAction deliver)
    {
        var buffer = new byte[1500];
        var deadline = DateTime.UtcNow + timeout;
        while (!done() && DateTime.UtcNow < deadline)
        {
            if (!_socket.Poll(TimeSpan.FromMilliseconds(20), SelectMode.SelectRead))
                continue;
            int n = _socket.Receive(buffer);
            if (n > 0)
                deliver(buffer.AsSpan(0, n));
        }
    }

    private delegate void SpanAction(ReadOnlySpan<byte> datagram);

    public void CloseDtls() => _dtls?.Close();

    public void SendRtp(byte[] packet) => _socket.Send(ProtectRtp(packet));

    /// <summary>The packet as this client's SRTP context protects it (to send by another way).</summary>
    public byte[] ProtectRtp(byte[] packet)
    {
        var buffer = new byte[packet.Length + SrtpProfiles.MaxTrailerLength];
        packet.CopyTo(buffer, 0);
        Assert.Equal(SrtpStatus.Ok, _send!.ProtectRtp(buffer, packet.Length, out int length));
        return buffer[..length];
    }

    public void SendRtcp(byte[] packet)
    {
        var buffer = new byte[packet.Length + SrtpProfiles.MaxTrailerLength];
        packet.CopyTo(buffer, 0);
        Assert.Equal(SrtpStatus.Ok, _send!.ProtectRtcp(buffer, packet.Length, out int length));
        _socket.Send(buffer.AsSpan(0, length));
    }

    /// <summary>Waits for the next SRTP packet and returns it decrypted (null on timeout).</summary>
    public byte[]? ReceiveRtp(TimeSpan timeout)
    {
        var buffer = new byte[1500];
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (!_socket.Poll(TimeSpan.FromMilliseconds(50), SelectMode.SelectRead))
                continue;
            int n = _socket.Receive(buffer);
            if (DatagramClassifier.Classify(buffer.AsSpan(0, n)) != DatagramKind.Rtp)
                continue;
            if (_receive!.UnprotectRtp(buffer.AsSpan(0, n), out int length) == SrtpStatus.Ok)
                return buffer[..length];
        }
        return null;
    }

    public static byte[] RtpPacket(ushort sequence, uint ssrc, int payloadLength = 200)
    {
        var packet = new byte[12 + payloadLength];
        packet[0] = 0x80;
        packet[1] = 96;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), sequence * 3000u);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        for (int i = 12; i < packet.Length; i++)
            packet[i] = (byte)(i + sequence);
        return packet;
    }

    public void Dispose()
    {
        _dtls?.Dispose();
        _socket.Dispose();
        _send?.Dispose();
        _receive?.Dispose();
    }
}
