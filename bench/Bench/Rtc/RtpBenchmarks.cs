using System.Net;
using BenchmarkDotNet.Attributes;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Rtcp;
using MobZ.Rtc.Rtp;
using MobZ.Rtc.Stun;

namespace MobZ.Bench.Rtc;

/// <summary>
/// The per-packet work of the forwarding path on a 1200-byte-payload video packet with abs-send-time,
/// transport-wide-cc and mid extensions: parse, then rewrite SSRC / sequence / timestamp and the
/// transport sequence number in place. Both must allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class RtpBenchmarks
{
    private const int AbsSendTimeId = 2;
    private const int TransportCcId = 3;
    private const int MidId = 4;

    private byte[] _packet = [];
    private ushort _sequence;
    private byte[] _nack = [];
    private byte[] _binding = [];
    private readonly byte[] _response = new byte[512];
    private IceLiteAgent _agent = null!;
    private TransportAddress _remote;

    [GlobalSetup]
    public void Setup()
    {
        Span<byte> ext = stackalloc byte[32];
        var extensions = new RtpHeaderExtensionWriter(ext);
        extensions.TryAdd(AbsSendTimeId, new byte[] { 0x12, 0x34, 0x56 });
        extensions.TryAdd(TransportCcId, new byte[] { 0x00, 0x01 });
        extensions.TryAdd(MidId, "1"u8);
        var writer = new RtpPacketWriter
        {
            PayloadType = 96,
            SequenceNumber = 1000,
            Timestamp = 90000,
            Ssrc = 0x11223344,
            Marker = true,
            ExtensionProfile = extensions.Profile,
            ExtensionData = extensions.Written,
            Payload = new byte[1200],
        };
        _packet = new byte[writer.GetSize()];
        writer.TryWrite(_packet, out _);

        var nack = new GenericNackWriter
        {
            SenderSsrc = 1,
            MediaSsrc = 2,
            LostSequenceNumbers = new ushort[] { 10, 11, 13, 20, 40, 41 },
        };
        _nack = new byte[nack.GetSize()];
        nack.TryWrite(_nack, out _);

        _agent = new IceLiteAgent(new IceCredentials("bench", "benchpasswordbenchpassword"));
        _remote = TransportAddress.From(IPAddress.Loopback, 50000);
        byte[] buffer = new byte[256];
        var request = new StunMessageWriter(buffer, StunMessageType.BindingRequest, new byte[12]);
        request.TryAddUsername("bench:peer"u8);
        request.TryAddPriority(1853824767);
        request.TryAddIceControlling(42);
        request.TryAddUseCandidate();
        request.TryAddMessageIntegrity("benchpasswordbenchpassword"u8);
        request.TryAddFingerprint();
        _binding = request.Written.ToArray();
    }

    [Benchmark(Description = "RTP parse: header fields + find transport-cc extension")]
    public int Parse()
    {
        if (
            !RtpPacket.TryRead(_packet, out RtpPacket rtp)
            || !rtp.TryGetExtension(TransportCcId, out ReadOnlySpan<byte> twcc)
        )
        {
            return -1;
        }

        return rtp.SequenceNumber + (int)rtp.Timestamp + (int)rtp.Ssrc + twcc[1] + rtp.Payload.Length;
    }

    [Benchmark(Description = "RTP parse + rewrite SSRC/seq/ts + transport-cc seq in place")]
    public int ParseAndRewrite()
    {
        Span<byte> packet = _packet;
        if (!RtpPacket.TryRead(packet, out RtpPacket rtp))
        {
            return -1;
        }

        uint timestamp = rtp.Timestamp;
        int payload = rtp.Payload.Length;
        RtpPacketRewriter.SetSsrc(packet, 0xAABBCCDD);
        RtpPacketRewriter.SetSequenceNumber(packet, ++_sequence);
        RtpPacketRewriter.SetTimestamp(packet, timestamp + 3000);
        if (!RtpPacketRewriter.TryGetExtension(packet, TransportCcId, out Span<byte> twcc))
        {
            return -1;
        }

        RtpExtensionValues.TryWriteTransportSequence(twcc, _sequence);
        return payload;
    }

    [Benchmark(Description = "RTCP NACK parse + expand lost sequence numbers")]
    public int NackExpand()
    {
        int sum = 0;
        foreach (RtcpPacket packet in new RtcpCompoundEnumerator(_nack))
        {
            if (GenericNack.TryRead(packet.Span, out GenericNack nack))
            {
                foreach (ushort seq in nack.LostSequenceNumbers)
                {
                    sum += seq;
                }
            }
        }

        return sum;
    }

    [Benchmark(Description = "STUN binding request check + success response (ICE-lite consent)")]
    public int BindingCheck()
    {
        if (!StunMessage.TryRead(_binding, out StunMessage request))
        {
            return -1;
        }

        return _agent.HandleBindingRequest(request, _remote, _response).ResponseLength;
    }
}
