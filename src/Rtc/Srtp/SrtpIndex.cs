namespace MobZ.Rtc.Srtp;

/// <summary>RFC 3711 §3.3.1 / Appendix A packet-index estimation across 16-bit sequence wrap.</summary>
public static class SrtpIndex
{
    /// <summary>
    /// Guesses the rollover counter of <paramref name="sequenceNumber"/> given the highest
    /// sequence number and ROC seen so far: a number far below the highest one belongs to the next
    /// cycle, one far above it to the previous cycle.
    /// </summary>
    public static uint EstimateRoc(ushort highestSequence, uint roc, ushort sequenceNumber)
    {
        if (highestSequence < 0x8000)
        {
            if (sequenceNumber - highestSequence > 0x8000 && roc > 0)
                return roc - 1;
            return roc;
        }
        if (highestSequence - 0x8000 > sequenceNumber)
            return roc + 1;
        return roc;
    }

    public static ulong Of(uint roc, ushort sequenceNumber) => ((ulong)roc << 16) | sequenceNumber;
}
