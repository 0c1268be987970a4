namespace MobZ.Rtc.Rtp;

/// <summary>
/// Walks the elements of an RFC 8285 extension block.
/// </summary>
/// <remarks>
/// <code>
/// one-byte form (profile 0xBEDE)          two-byte form (profile 0x100X)
///  0 1 2 3 4 5 6 7                         0                   1
/// +-+-+-+-+-+-+-+-+                        0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
/// |  ID   |  len  | data (len+1 bytes)    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// +-+-+-+-+-+-+-+-+                        |      ID       |    length     | data (length bytes)
///                                          +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// A zero byte in id position is padding; id 15 in the one-byte form ends the block.
/// An element that overruns the block stops the walk, so a malformed block yields its valid prefix.
/// </remarks>
public ref struct RtpHeaderExtensionEnumerator
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _baseOffset;
    private readonly bool _oneByte;
    private int _position;
    private RtpHeaderExtension _current;

    public RtpHeaderExtensionEnumerator(ushort profile, ReadOnlySpan<byte> data, int baseOffset)
    {
        _oneByte = RtpHeaderExtensionProfile.IsOneByte(profile);
        // Unknown profiles carry opaque data: present no elements rather than misreading them.
        _data = _oneByte || RtpHeaderExtensionProfile.IsTwoByte(profile) ? data : default;
        _baseOffset = baseOffset;
        _position = 0;
        _current = default;
    }

    public readonly RtpHeaderExtension Current => _current;

    public readonly RtpHeaderExtensionEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        while (_position < _data.Length)
        {
            byte first = _data[_position];
            if (first == 0)
            {
                _position++;
                continue;
            }

            int id;
            int length;
            int valueStart;
            if (_oneByte)
            {
                id = first >> 4;
                if (id == 15)
                {
                    break;
                }

                length = (first & 0x0F) + 1;
                valueStart = _position + 1;
            }
            else
            {
                if (_position + 1 >= _data.Length)
                {
                    break;
                }

                id = first;
                length = _data[_position + 1];
                valueStart = _position + 2;
            }

            if (valueStart + length > _data.Length)
            {
                break;
            }

            _current = new RtpHeaderExtension(id, _data.Slice(valueStart, length), _baseOffset + valueStart);
            _position = valueStart + length;
            return true;
        }

        _position = _data.Length;
        return false;
    }
}
