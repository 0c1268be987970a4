using System.Buffers.Binary;

namespace MobZ.Rtc.Rtcp;

/// <summary>
/// REMB (draft-alvestrand-rmcat-remb-03): PSFB FMT=15 application-layer feedback with the receiver's estimate of
/// the total bitrate for the listed SSRCs, as mantissa × 2^exponent bits per second.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P| FMT=15  |   PT=206      |             length            |
/// |                  SSRC of packet sender                        |
/// |                  SSRC of media source (0)                     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Unique identifier 'R' 'E' 'M' 'B'                            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Num SSRC     | BR Exp    |  BR Mantissa (18 bits)            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   SSRC feedback                                               |  Num SSRC times
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
public readonly ref struct ReceiverEstimatedMaxBitrate
{
    public const uint UniqueIdentifier = 0x52454D42; // "REMB"
    private const int MaxMantissa = (1 << 18) - 1;
    private readonly ReadOnlySpan<byte> _ssrcs;

    private ReceiverEstimatedMaxBitrate(uint senderSsrc, ulong bitrate, ReadOnlySpan<byte> ssrcs)
    {
        SenderSsrc = senderSsrc;
        Bitrate = bitrate;
        _ssrcs = ssrcs;
    }

    public static bool TryRead(ReadOnlySpan<byte> packet, out ReceiverEstimatedMaxBitrate remb)
    {
        remb = default;
        if (
            !FeedbackHeader.TryRead(
                packet,
                RtcpPacketType.PayloadFeedback,
                RtcpFeedbackFormat.ApplicationLayer,
                out uint sender,
                out _,
                out ReadOnlySpan<byte> fci
            )
            || fci.Length < 8
            || BinaryPrimitives.ReadUInt32BigEndian(fci) != UniqueIdentifier
        )
        {
            return false;
        }

        int count = fci[4];
        int exponent = fci[5] >> 2;
        uint mantissa = (uint)(((fci[5] & 0x03) << 16) | (fci[6] << 8) | fci[7]);
        if (fci.Length < 8 + (count * 4))
        {
            return false;
        }

        // Exponents above 46 would overflow 64 bits with an 18-bit mantissa; saturate rather than wrap.
        ulong bitrate = exponent > 46 ? ulong.MaxValue : (ulong)mantissa << exponent;
        remb = new ReceiverEstimatedMaxBitrate(sender, bitrate, fci.Slice(8, count * 4));
        return true;
    }

    /// <summary>True when <paramref name="packet"/> is PSFB FMT 15 carrying the REMB identifier.</summary>
    public static bool IsRemb(ReadOnlySpan<byte> packet) => TryRead(packet, out _);

    public uint SenderSsrc { get; }

    /// <summary>Bits per second.</summary>
    public ulong Bitrate { get; }

    public int SsrcCount => _ssrcs.Length / 4;

    public uint GetSsrc(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, SsrcCount);
        return BinaryPrimitives.ReadUInt32BigEndian(_ssrcs.Slice(index * 4));
    }

    /// <summary>Splits a bitrate into (exponent, mantissa), rounding down to the representable value.</summary>
    public static (int Exponent, uint Mantissa) Encode(ulong bitrate)
    {
        int exponent = 0;
        while (bitrate > MaxMantissa)
        {
            bitrate >>= 1;
            exponent++;
        }

        return (exponent, (uint)bitrate);
    }
}

public ref struct ReceiverEstimatedMaxBitrateWriter
{
    public uint SenderSsrc { get; set; }

    /// <summary>Bits per second.</summary>
    public ulong Bitrate { get; set; }

    /// <summary>Media SSRCs the estimate applies to, at most 255.</summary>
    public ReadOnlySpan<uint> Ssrcs { get; set; }

    public readonly int GetSize() => FeedbackHeader.Size + 8 + (Ssrcs.Length * 4);

    public readonly bool TryWrite(Span<byte> destination, out int written)
    {
        written = 0;
        int size = GetSize();
        if (Ssrcs.Length > 255 || destination.Length < size)
        {
            return false;
        }

        FeedbackHeader.Write(
            destination,
            RtcpPacketType.PayloadFeedback,
            RtcpFeedbackFormat.ApplicationLayer,
            size,
            SenderSsrc,
            0
        );
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(12), ReceiverEstimatedMaxBitrate.UniqueIdentifier);
        (int exponent, uint mantissa) = ReceiverEstimatedMaxBitrate.Encode(Bitrate);
        destination[16] = (byte)Ssrcs.Length;
        destination[17] = (byte)((exponent << 2) | (int)(mantissa >> 16));
        destination[18] = (byte)(mantissa >> 8);
        destination[19] = (byte)mantissa;
        for (int i = 0; i < Ssrcs.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(20 + (i * 4)), Ssrcs[i]);
        }

        written = size;
        return true;
    }
}
