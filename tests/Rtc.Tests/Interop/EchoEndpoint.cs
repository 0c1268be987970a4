using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using MobZ.Rtc.Rtcp;
using MobZ.Rtc.Rtp;
using MobZ.Rtc.Transport;

namespace MobZ.Rtc.Tests.Interop;

/// <summary>
/// The loopback echo built on src/Rtc: counts what the remote sends per payload type (and per rid
/// for simulcast), rewrites each echoed packet's SSRC to the one our answer declared for that
/// payload type, and sends it back. Runs on the transport's receive thread.
/// </summary>
internal sealed class EchoEndpoint : IRtcPeerHandler
{
    private readonly Dictionary<int, uint> _echoSsrcByPayloadType;
    private readonly int _ridExtensionId;

    public EchoEndpoint(Dictionary<int, uint> echoSsrcByPayloadType, int ridExtensionId = 0)
    {
        _echoSsrcByPayloadType = echoSsrcByPayloadType;
        _ridExtensionId = ridExtensionId;
    }

    public ConcurrentDictionary<int, int> PacketsByPayloadType { get; } = new();
    public ConcurrentDictionary<string, int> PacketsByRid { get; } = new();
    public ConcurrentDictionary<string, ConcurrentDictionary<uint, byte>> SsrcsByRid { get; } = new();
    public ConcurrentQueue<RtcPeerState> States { get; } = new();
    public int RtcpPackets;
    public int Echoed;

    public int Count(int payloadType) => PacketsByPayloadType.TryGetValue(payloadType, out int n) ? n : 0;

    /// <summary>Packets of every payload type carrying <paramref name="codecName"/> per <paramref
    /// name="negotiation"/>.</summary>
    public int Count(EchoNegotiation negotiation, string codecName) =>
        negotiation
            .CodecByPayloadType.Where(p => p.Value.Equals(codecName, StringComparison.OrdinalIgnoreCase))
            .Sum(p => Count(p.Key));

    public void OnRtp(RtcPeer peer, Span<byte> packet)
    {
        if (!RtpPacket.TryRead(packet, out var rtp))
            return;
        PacketsByPayloadType.AddOrUpdate(rtp.PayloadType, 1, (_, n) => n + 1);
        if (_ridExtensionId != 0 && rtp.TryGetExtension(_ridExtensionId, out var ridBytes) && ridBytes.Length > 0)
        {
            string rid = Encoding.ASCII.GetString(ridBytes);
            PacketsByRid.AddOrUpdate(rid, 1, (_, n) => n + 1);
            SsrcsByRid.GetOrAdd(rid, _ => new())[rtp.Ssrc] = 0;
        }
        if (_echoSsrcByPayloadType.TryGetValue(rtp.PayloadType, out uint ssrc))
        {
            // Echo without the sender's header extensions, as an SFU rewrites them per receiver:
            // aiortc 1.4 offers one id for two URIs in a bundle and crashes parsing its own
            // audio-level value as abs-send-time.
            int fixedHeader = RtpPacket.FixedHeaderSize + 4 * rtp.CsrcCount;
            Span<byte> echo = stackalloc byte[packet.Length];
            packet[..fixedHeader].CopyTo(echo);
            echo[0] &= 0xEF;
            var payload = packet[rtp.PayloadOffset..];
            payload.CopyTo(echo[fixedHeader..]);
            int length = fixedHeader + payload.Length;
            BinaryPrimitives.WriteUInt32BigEndian(echo[8..], ssrc);
            if (peer.SendRtp(echo[..length]))
                Interlocked.Increment(ref Echoed);
        }
    }

    public void OnRtcp(RtcPeer peer, Span<byte> packet) => Interlocked.Increment(ref RtcpPackets);

    public void OnStateChanged(RtcPeer peer, RtcPeerState state) => States.Enqueue(state);

    /// <summary>Tells the sender it may use <paramref name="bitrate"/> (REMB), as an SFU does.</summary>
    public static void SendRemb(RtcPeer peer, ulong bitrate, ReadOnlySpan<uint> mediaSsrcs)
    {
        var writer = new ReceiverEstimatedMaxBitrateWriter
        {
            SenderSsrc = 1,
            Bitrate = bitrate,
            Ssrcs = mediaSsrcs,
        };
        Span<byte> buffer = stackalloc byte[writer.GetSize()];
        if (writer.TryWrite(buffer, out int written))
            peer.SendRtcp(buffer[..written]);
    }
}
