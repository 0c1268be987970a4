using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Srtp;
using MobZ.Rtc.Stun;
using MobZ.Rtc.Tests.Dtls;
using MobZ.Rtc.Transport;
using Org.BouncyCastle.Crypto.Tls;
using Org.BouncyCastle.Security;

namespace MobZ.Rtc.Tests.Transport;

/// <summary>
/// A minimal controlling WebRTC client over its own UDP socket or ICE-TCP connection: one ICE check with
/// USE-CANDIDATE, a DTLS client handshake, then SRTP both ways — enough to drive <see cref="RtcUdpTransport"/>
/// without a browser.
/// </summary>
internal sealed class TestWebRtcClient : IDisposable
{
    private readonly ITestLink _socket;
    private SrtpContext? _send;
    private SrtpContext? _receive;
    private DtlsTransport? _dtls;

    public TestWebRtcClient(IPEndPoint server, params SrtpProfile[] profiles)
        : this(new UdpLink(server), profiles) { }

    private TestWebRtcClient(ITestLink link, SrtpProfile[] profiles)
    {
        _socket = link;
        Dtls = new TestDtlsClient(null, profiles);
        Ufrag = "cli" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3));
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

    public TestDtlsClient Dtls { get; }

    public string Ufrag { get; }

    /// <summary>The remote parameters our fake offer would carry.</summary>
    public RtcRemoteParameters Offer(DtlsFingerprint? fingerprint = null) =>
        new(Ufrag, "clientpasswordclientpassword", fingerprint ?? Dtls.Fingerprint, "actpass");

    public SrtpProfile Profile => Dtls.SelectedProfile;

    public void SendRaw(ReadOnlySpan<byte> datagram) => _socket.Send(datagram);

    /// <summary>Sends one authenticated, nominating binding request and waits for its success response.</summary>
    public bool CheckConnectivity(RtcLocalParameters server, TimeSpan timeout)
    {
        Span<byte> transaction = stackalloc byte[12];
        RandomNumberGenerator.Fill(transaction);
        Span<byte> request = stackalloc byte[256];
        var writer = new StunMessageWriter(request, StunMessageType.BindingRequest, transaction);
        writer.TryAddUsername(Encoding.ASCII.GetBytes($"{server.Ice.Ufrag}:{Ufrag}"));
        writer.TryAddPriority(0x6E7F1EFF);
        writer.TryAddIceControlling(0x1122334455667788);
        writer.TryAddUseCandidate();
        writer.TryAddMessageIntegrity(server.Ice.PasswordBytes.Span);
        writer.TryAddFingerprint();
        _socket.Send(writer.Written);

        var buffer = new byte[1500];
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (!_socket.Poll(TimeSpan.FromMilliseconds(100), SelectMode.SelectRead))
                continue;
            int n = _socket.Receive(buffer);
            if (
                StunMessage.TryRead(buffer.AsSpan(0, n), out var response)
                && response.MessageType == StunMessageType.BindingSuccessResponse
                && response.TransactionId.SequenceEqual(transaction)
            )
            {
                return response.VerifyMessageIntegrity(server.Ice.PasswordBytes.Span);
            }
        }
        return false;
    }

    /// <summary>Runs the DTLS client handshake (blocking) and installs SRTP contexts.</summary>
    public void HandshakeDtls()
    {
        _dtls = new DtlsClientProtocol(new SecureRandom()).Connect(Dtls, new LinkDatagramTransport(_socket));
        var (client, server) = Dtls.Keys!.Value;
        _send = new SrtpContext(client);
        _receive = new SrtpContext(server);
    }

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
        _socket.Dispose();
        _send?.Dispose();
        _receive?.Dispose();
    }

    /// <summary>BouncyCastle datagram transport over the client's link; STUN is skipped.</summary>
    private sealed class LinkDatagramTransport(ITestLink socket) : DatagramTransport
    {
        public int GetReceiveLimit() => 1500;

        public int GetSendLimit() => 1200;

        public int Receive(byte[] buf, int off, int len, int waitMillis)
        {
            var deadline = DateTime.UtcNow.AddMilliseconds(waitMillis);
            while (DateTime.UtcNow < deadline)
            {
                if (
                    !socket.Poll(
                        TimeSpan.FromMilliseconds(Math.Max(1, (deadline - DateTime.UtcNow).TotalMilliseconds)),
                        SelectMode.SelectRead
                    )
                )
                {
                    return -1;
                }

                int n = socket.Receive(buf.AsSpan(off, len));
                if (n > 0 && buf[off] is >= 20 and <= 63)
                    return n;
            }
            return -1;
        }

        public void Send(byte[] buf, int off, int len) => socket.Send(buf.AsSpan(off, len));

        public void Close() { }
    }
}
