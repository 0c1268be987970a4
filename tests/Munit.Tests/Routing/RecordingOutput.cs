using MobZ.Munit.Routing;
using MobZ.Rtc.Rtcp;
using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Tests.Routing;

/// <summary>A peer's transport that keeps copies of what the Munit sent it (before encryption).</summary>
internal sealed class RecordingOutput : IPeerOutput
{
    public List<byte[]> Rtp { get; } = [];
    public List<byte[]> Rtcp { get; } = [];

    public void SendRtp(Span<byte> buffer, int length) => Rtp.Add(buffer[..length].ToArray());

    public void SendRtcp(Span<byte> buffer, int length) => Rtcp.Add(buffer[..length].ToArray());

    public IEnumerable<(uint Ssrc, ushort Seq, uint Ts, byte Pt, byte[] Payload)> Packets(uint? ssrc = null) =>
        Rtp.Select(p =>
            {
                Assert.True(RtpPacket.TryRead(p, out var r), "the Munit sent a malformed RTP packet");
                return (r.Ssrc, r.SequenceNumber, r.Timestamp, r.PayloadType, r.Payload.ToArray());
            })
            .Where(p => ssrc is null || p.Ssrc == ssrc);

    /// <summary>Every RTCP packet sent, as (packet type, FMT/count, bytes).</summary>
    public IEnumerable<(byte Type, byte Count, byte[] Bytes)> RtcpPackets()
    {
        foreach (var datagram in Rtcp)
        {
            var list = new List<(byte, byte, byte[])>();
            foreach (var p in new RtcpCompoundEnumerator(datagram))
                list.Add((p.PacketType, p.Count, p.Span.ToArray()));
            foreach (var item in list)
                yield return item;
        }
    }

    public int Plis(uint mediaSsrc) =>
        RtcpPackets()
            .Count(p =>
                p.Type == RtcpPacketType.PayloadFeedback
                && PictureLossIndication.TryRead(p.Bytes, out var pli)
                && pli.MediaSsrc == mediaSsrc
            );
}
