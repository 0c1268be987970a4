using System.Buffers.Binary;

namespace MobZ.Rtc.Codecs;

/// <summary>
/// The key-frame rule for H.264, in one place for the SFU (where to switch a viewer) and the HLS packager (where a
/// segment may start): a key frame is an access unit that holds an IDR slice (NAL type 5), and its parameter sets
/// (SPS, type 7, then PPS) travel at its start. So an access unit is a key frame when it holds an IDR slice
/// (<see cref="IsKeyFrameSlice"/>), and an RTP payload (RFC 6184: single NAL unit, STAP-A or FU-A) starts one when
/// its first NAL unit is an SPS or the start of an IDR slice (<see cref="IsKeyFrameStart"/>) — switching a viewer
/// at the SPS keeps the parameter sets the decoder needs.
/// </summary>
public static class H264Payload
{
    /// <summary>The NAL unit type: the low five bits of a NAL unit header (or of an FU header).</summary>
    public static int NalType(byte header) => header & 0x1F;

    /// <summary>Does a NAL unit of this type make its access unit a key frame?</summary>
    public static bool IsKeyFrameSlice(int nalType) => nalType == H264NalType.IdrSlice;

    /// <summary>Can a key frame's access unit begin with a NAL unit of this type (its SPS, or its IDR slice)?</summary>
    private static bool BeginsKeyFrame(int nalType) => IsKeyFrameSlice(nalType) || nalType == H264NalType.Sps;

    /// <summary>Does this RTP payload start a key frame (see the rule above)?</summary>
    public static bool IsKeyFrameStart(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 1)
            return false;
        int type = NalType(payload[0]);
        switch (type)
        {
            case H264NalType.StapA:
                return StapAHasKeyFrameNal(payload[1..]);
            case H264NalType.FuA:
                // FU header: |S|E|R| Type |
                if (payload.Length < 2)
                    return false;
                bool start = (payload[1] & 0x80) != 0;
                return start && BeginsKeyFrame(NalType(payload[1]));
            default:
                return BeginsKeyFrame(type);
        }
    }

    /// <summary>RFC 6184 §5.7.1: each aggregated unit is a 16-bit size, then the NAL unit.</summary>
    private static bool StapAHasKeyFrameNal(ReadOnlySpan<byte> units)
    {
        while (units.Length >= 3)
        {
            int size = BinaryPrimitives.ReadUInt16BigEndian(units);
            if (size == 0 || size > units.Length - 2)
                return false;
            if (BeginsKeyFrame(NalType(units[2])))
                return true;
            units = units[(2 + size)..];
        }
        return false;
    }
}
