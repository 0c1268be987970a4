using MobZ.Rtc.Rtcp;
using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Tests.Routing;

/// <summary>Builds the packets a browser would send.</summary>
internal static class Packets
{
    public const int RidExtensionId = 10;

    /// <summary>A VP8 packet; <paramref name="keyFrame"/> makes it the first packet of a key frame.</summary>
    public static byte[] Vp8(
        uint ssrc,
        ushort seq,
        uint ts,
        bool keyFrame,
        string? rid = null,
        int payloadSize = 900,
        byte pt = 96,
        int pictureId = -1,
        int tl0PicIdx = -1
    )
    {
        var payload = new byte[payloadSize];
        int at = Vp8Descriptor(payload, pictureId, tl0PicIdx);
        payload[at] = (byte)(keyFrame ? 0x00 : 0x01);
        payload[^1] = (byte)seq;
        return Rtp(ssrc, seq, ts, pt, payload, rid);
    }

    /// <summary>Writes a VP8 payload descriptor (start of partition 0) with the fields asked for (-1: none).</summary>
    /// <returns>its size.</returns>
    public static int Vp8Descriptor(
        Span<byte> to,
        int pictureId = -1,
        int tl0PicIdx = -1,
        int keyIdx = -1,
        bool longPictureId = true
    )
    {
        bool x = pictureId >= 0 || tl0PicIdx >= 0 || keyIdx >= 0;
        to[0] = (byte)((x ? 0x80 : 0) | 0x10);
        if (!x)
            return 1;
        to[1] = (byte)((pictureId >= 0 ? 0x80 : 0) | (tl0PicIdx >= 0 ? 0x40 : 0) | (keyIdx >= 0 ? 0x30 : 0));
        int at = 2;
        if (pictureId >= 0 && longPictureId)
        {
            to[at++] = (byte)(0x80 | (pictureId >> 8));
            to[at++] = (byte)pictureId;
        }
        else if (pictureId >= 0)
        {
            to[at++] = (byte)(pictureId & 0x7F);
        }
        if (tl0PicIdx >= 0)
            to[at++] = (byte)tl0PicIdx;
        if (keyIdx >= 0)
            to[at++] = (byte)(0x40 | keyIdx); // TID 1, Y 0
        return at;
    }

    public static byte[] Opus(uint ssrc, ushort seq, uint ts, byte pt = 111) =>
        Rtp(ssrc, seq, ts, pt, new byte[] { 0xFC, 1, 2, 3, (byte)seq });

    public static byte[] Rtp(
        uint ssrc,
        ushort seq,
        uint ts,
        byte pt,
        ReadOnlySpan<byte> payload,
        string? rid = null,
        byte padding = 0
    )
    {
        Span<byte> ext = new byte[16];
        var extensions = new RtpHeaderExtensionWriter(ext);
        if (rid is not null)
            Assert.True(extensions.TryAdd(RidExtensionId, System.Text.Encoding.ASCII.GetBytes(rid)));
        var writer = new RtpPacketWriter
        {
            PayloadType = pt,
            SequenceNumber = seq,
            Timestamp = ts,
            Ssrc = ssrc,
            Payload = payload,
            PaddingSize = padding,
        };
        if (rid is not null)
        {
            writer.ExtensionProfile = extensions.Profile;
            writer.ExtensionData = extensions.Written;
        }
        var buffer = new byte[writer.GetSize()];
        Assert.True(writer.TryWrite(buffer, out int written));
        return buffer[..written];
    }

    public static byte[] Pli(uint sender, uint media)
    {
        var b = new byte[PictureLossIndication.Size];
        Assert.True(new PictureLossIndication(sender, media).TryWrite(b, out _));
        return b;
    }

    public static byte[] Nack(uint sender, uint media, params ushort[] lost)
    {
        var w = new GenericNackWriter
        {
            SenderSsrc = sender,
            MediaSsrc = media,
            LostSequenceNumbers = lost,
        };
        var b = new byte[w.GetSize()];
        Assert.True(w.TryWrite(b, out _));
        return b;
    }

    public static byte[] Remb(uint sender, ulong bitrate, params uint[] ssrcs)
    {
        var w = new ReceiverEstimatedMaxBitrateWriter
        {
            SenderSsrc = sender,
            Bitrate = bitrate,
            Ssrcs = ssrcs,
        };
        var b = new byte[w.GetSize()];
        Assert.True(w.TryWrite(b, out _));
        return b;
    }

    public static byte[] SenderReport(uint ssrc, ulong ntp, uint rtp)
    {
        var w = new SenderReportWriter
        {
            Ssrc = ssrc,
            NtpTimestamp = ntp,
            RtpTimestamp = rtp,
            PacketCount = 1,
            OctetCount = 1,
        };
        var b = new byte[w.GetSize()];
        Assert.True(w.TryWrite(b, out _));
        return b;
    }
}
