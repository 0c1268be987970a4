namespace MobZ.Rtc.Rtp;

/// <summary>
/// Builds an RFC 8285 extension block (elements only, without the 4-byte block header) into a caller buffer.
/// Pass <see cref="Profile"/> and <see cref="Written"/> to <see cref="RtpPacketWriter"/>, which adds the 32-bit
/// padding.
/// </summary>
public ref struct RtpHeaderExtensionWriter
{
    private readonly Span<byte> _buffer;
    private readonly bool _twoByte;
    private int _length;

    public RtpHeaderExtensionWriter(Span<byte> buffer, bool twoByte = false)
    {
        _buffer = buffer;
        _twoByte = twoByte;
        _length = 0;
    }

    public readonly ushort Profile => _twoByte ? RtpHeaderExtensionProfile.TwoByte : RtpHeaderExtensionProfile.OneByte;

    public readonly int Length => _length;

    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

    /// <summary>True when (id, length) fits the one-byte form; otherwise the two-byte form is needed.</summary>
    public static bool FitsOneByte(int id, int length) => id is >= 1 and <= 14 && length is >= 1 and <= 16;

    /// <summary>Appends one element; false when the id or length does not fit this form or the buffer is
    /// full.</summary>
    public bool TryAdd(int id, ReadOnlySpan<byte> value)
    {
        if (_twoByte)
        {
            if (id is < 1 or > 255 || value.Length > 255 || _length + 2 + value.Length > _buffer.Length)
            {
                return false;
            }

            _buffer[_length] = (byte)id;
            _buffer[_length + 1] = (byte)value.Length;
            value.CopyTo(_buffer.Slice(_length + 2));
            _length += 2 + value.Length;
            return true;
        }

        if (!FitsOneByte(id, value.Length) || _length + 1 + value.Length > _buffer.Length)
        {
            return false;
        }

        _buffer[_length] = (byte)((id << 4) | (value.Length - 1));
        value.CopyTo(_buffer.Slice(_length + 1));
        _length += 1 + value.Length;
        return true;
    }
}
