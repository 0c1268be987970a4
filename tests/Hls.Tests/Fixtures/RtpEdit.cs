using System.Buffers.Binary;

namespace MobZ.Hls.Tests.Fixtures;

/// <summary>Rewrites captured RTP the way a bad network or a bad publisher would.</summary>
public static class RtpEdit
{
    public static ushort Sequence(byte[] rtp) => BinaryPrimitives.ReadUInt16BigEndian(rtp.AsSpan(2));

    public static uint Timestamp(byte[] rtp) => BinaryPrimitives.ReadUInt32BigEndian(rtp.AsSpan(4));

    public static byte[] WithTimestamp(byte[] rtp, uint timestamp)
    {
        byte[] copy = (byte[])rtp.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(4), timestamp);
        return copy;
    }

    public static byte[] WithSequence(byte[] rtp, ushort sequence)
    {
        byte[] copy = (byte[])rtp.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(2), sequence);
        return copy;
    }

    /// <summary>NAL unit types an H.264 RTP packet carries (ffmpeg sends no CSRCs or extensions).</summary>
    public static IEnumerable<int> NalTypes(byte[] rtp)
    {
        ReadOnlySpan<byte> payload = rtp.AsSpan(12);
        int type = payload[0] & 0x1F;
        var types = new List<int>();
        if (type == 24)
        {
            for (int i = 1; i + 2 < payload.Length; )
            {
                int size = BinaryPrimitives.ReadUInt16BigEndian(payload[i..]);
                types.Add(payload[i + 2] & 0x1F);
                i += 2 + size;
            }
        }
        else if (type == 28)
        {
            types.Add(payload[1] & 0x1F);
        }
        else
        {
            types.Add(type);
        }

        return types;
    }

    /// <summary>Numbers the video packets consecutively again, so removed packets leave no sequence gap.</summary>
    public static List<CapturedPacket> Resequence(IEnumerable<CapturedPacket> packets)
    {
        ushort next = 1000;
        return packets
            .Select(p => p.Track == HlsTrack.Video && !p.IsRtcp ? p with { Data = WithSequence(p.Data, next++) } : p)
            .ToList();
    }

    public static bool IsVideoRtp(CapturedPacket p) => p.Track == HlsTrack.Video && !p.IsRtcp;

    public static bool IsAudioRtp(CapturedPacket p) => p.Track == HlsTrack.Audio && !p.IsRtcp;
}
