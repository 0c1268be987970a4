namespace MobZ.Hls.Codecs;

/// <summary>
/// Reads H.264 RBSP bits (ITU-T H.264 §7.2): fixed-width fields and Exp-Golomb codes. Every read fails
/// softly (returns false) past the end, so a truncated SPS is rejected instead of throwing.
/// </summary>
internal ref struct RbspBitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _bit;

    public RbspBitReader(ReadOnlySpan<byte> rbsp)
    {
        _data = rbsp;
        _bit = 0;
    }

    public bool TryReadBit(out uint value)
    {
        value = 0;
        if (_bit >= _data.Length * 8)
        {
            return false;
        }

        value = (uint)(_data[_bit >> 3] >> (7 - (_bit & 7))) & 1;
        _bit++;
        return true;
    }

    public bool TryReadBits(int count, out uint value)
    {
        value = 0;
        for (int i = 0; i < count; i++)
        {
            if (!TryReadBit(out uint bit))
            {
                return false;
            }

            value = (value << 1) | bit;
        }

        return true;
    }

    /// <summary>ue(v).</summary>
    public bool TryReadUe(out uint value)
    {
        value = 0;
        int zeros = 0;
        while (true)
        {
            if (!TryReadBit(out uint bit))
            {
                return false;
            }

            if (bit == 1)
            {
                break;
            }

            if (++zeros > 31)
            {
                return false;
            }
        }

        if (!TryReadBits(zeros, out uint suffix))
        {
            return false;
        }

        value = (uint)((1UL << zeros) - 1 + suffix);
        return true;
    }

    /// <summary>se(v).</summary>
    public bool TryReadSe(out int value)
    {
        value = 0;
        if (!TryReadUe(out uint code))
        {
            return false;
        }

        value = (code & 1) == 1 ? (int)((code + 1) / 2) : -(int)(code / 2);
        return true;
    }

    /// <summary>Removes emulation prevention bytes (00 00 03 → 00 00) into <paramref name="destination"/>.</summary>
    /// <returns>the RBSP length, or -1 when <paramref name="destination"/> is too small.</returns>
    public static int Unescape(ReadOnlySpan<byte> nal, Span<byte> destination)
    {
        int written = 0;
        int zeros = 0;
        foreach (byte b in nal)
        {
            if (zeros >= 2 && b == 3)
            {
                zeros = 0;
                continue;
            }

            if (written == destination.Length)
            {
                return -1;
            }

            destination[written++] = b;
            zeros = b == 0 ? zeros + 1 : 0;
        }

        return written;
    }
}
