using System.Buffers.Binary;

namespace MobZ.Munit.Codecs;

/// <summary>
/// Key-frame detection on H.264 RTP payloads (RFC 6184): single NAL unit packets, STAP-A aggregates and
/// FU-A fragments. A packet "starts a key frame" when it carries an IDR slice start (NAL type 5) or the
/// SPS (type 7) that browsers send right before one — switching a viewer onto a layer at the SPS keeps
/// the parameter sets the decoder needs.
/// </summary>
public static class H264Payload
{
    public const int NalIdr = 5;
    public const int NalSps = 7;
    public const int NalPps = 8;
    public const int NalStapA = 24;
    public const int NalFuA = 28;

    public static bool IsKeyFrameStart(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 1) return false;
        int type = payload[0] & 0x1F;
        switch (type)
        {
            case NalIdr:
            case NalSps:
                return true;
            case NalStapA:
                return StapAHasKeyFrameNal(payload[1..]);
            case NalFuA:
                // FU header: |S|E|R| Type |
                if (payload.Length < 2) return false;
                bool start = (payload[1] & 0x80) != 0;
                int fuType = payload[1] & 0x1F;
                return start && (fuType == NalIdr || fuType == NalSps);
            default:
                return false;
        }
    }

    private static bool StapAHasKeyFrameNal(ReadOnlySpan<byte> units)
    {
        // Each aggregated unit: 16-bit size, then the NAL unit.
        while (units.Length >= 3)
        {
            int size = BinaryPrimitives.ReadUInt16BigEndian(units);
            if (size == 0 || size > units.Length - 2) return false;
            int type = units[2] & 0x1F;
            if (type == NalIdr || type == NalSps) return true;
            units = units[(2 + size)..];
        }
        return false;
    }
}
