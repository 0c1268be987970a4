using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MobZ.Rtc.Stun;

/// <summary>
/// Zero-copy view of a STUN message (RFC 8489 §5, §14).
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |0 0|     STUN Message Type     |         Message Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         Magic Cookie                          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                     Transaction ID (96 bits)                  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         Type                  |            Length             |  attributes,
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  padded to
/// |                         Value (variable)                ....  |  32 bits
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// MESSAGE-INTEGRITY is an HMAC-SHA1 over the message up to the attribute, with the header length counting
/// up to and including it; FINGERPRINT is CRC-32 of everything before it XOR 0x5354554E.
/// </remarks>
public readonly ref struct StunMessage
{
    public const int HeaderSize = 20;
    public const uint MagicCookie = 0x2112A442;
    public const uint FingerprintXor = 0x5354554E;
    public const int MessageIntegritySize = 20;

    private readonly ReadOnlySpan<byte> _message;
    private readonly int _integrityOffset; // offset of the MESSAGE-INTEGRITY attribute header, -1 if absent
    private readonly int _fingerprintOffset;

    private StunMessage(ReadOnlySpan<byte> message, int integrityOffset, int fingerprintOffset)
    {
        _message = message;
        _integrityOffset = integrityOffset;
        _fingerprintOffset = fingerprintOffset;
    }

    /// <summary>Quick check used for demultiplexing: top bits zero, magic cookie, length consistent with the
    /// datagram.</summary>
    public static bool LooksLikeStun(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= HeaderSize
        && (datagram[0] & 0xC0) == 0
        && BinaryPrimitives.ReadUInt32BigEndian(datagram.Slice(4)) == MagicCookie
        && BinaryPrimitives.ReadUInt16BigEndian(datagram.Slice(2)) + HeaderSize == datagram.Length;

    /// <summary>Parses a whole datagram; false unless the header is valid and every attribute fits.</summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, out StunMessage message)
    {
        message = default;
        if (!LooksLikeStun(datagram) || (datagram.Length & 3) != 0)
        {
            return false;
        }

        int integrity = -1;
        int fingerprint = -1;
        int position = HeaderSize;
        while (position < datagram.Length)
        {
            if (position + 4 > datagram.Length)
            {
                return false;
            }

            ushort type = BinaryPrimitives.ReadUInt16BigEndian(datagram.Slice(position));
            int length = BinaryPrimitives.ReadUInt16BigEndian(datagram.Slice(position + 2));
            int next = position + 4 + ((length + 3) & ~3);
            if (next > datagram.Length)
            {
                return false;
            }

            if (fingerprint < 0)
            {
                if (type == StunAttributeType.MessageIntegrity && integrity < 0)
                {
                    if (length != MessageIntegritySize)
                    {
                        return false;
                    }

                    integrity = position;
                }
                else if (type == StunAttributeType.Fingerprint)
                {
                    if (length != 4)
                    {
                        return false;
                    }

                    fingerprint = position;
                }
            }

            position = next;
        }

        message = new StunMessage(datagram, integrity, fingerprint);
        return true;
    }

    public ReadOnlySpan<byte> Span => _message;
    public ushort MessageType => BinaryPrimitives.ReadUInt16BigEndian(_message);
    public StunClass Class => StunMessageType.GetClass(MessageType);
    public ushort Method => StunMessageType.GetMethod(MessageType);
    public ReadOnlySpan<byte> TransactionId => _message.Slice(8, 12);
    public bool HasMessageIntegrity => _integrityOffset >= 0;
    public bool HasFingerprint => _fingerprintOffset >= 0;

    /// <summary>Attributes in order; after MESSAGE-INTEGRITY only FINGERPRINT is reported, and nothing after
    /// FINGERPRINT (RFC 8489 §14.5).</summary>
    public StunAttributeEnumerator Attributes => new(_message, _integrityOffset, _fingerprintOffset);

    public bool TryGetAttribute(ushort type, out ReadOnlySpan<byte> value)
    {
        foreach (StunAttribute attribute in Attributes)
        {
            if (attribute.Type == type)
            {
                value = attribute.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    public bool HasAttribute(ushort type) => TryGetAttribute(type, out _);

    public bool TryGetUsername(out ReadOnlySpan<byte> username) =>
        TryGetAttribute(StunAttributeType.Username, out username);

    public bool TryGetPriority(out uint priority)
    {
        priority = 0;
        return TryGetAttribute(StunAttributeType.Priority, out ReadOnlySpan<byte> value)
            && value.Length == 4
            && BinaryPrimitives.TryReadUInt32BigEndian(value, out priority);
    }

    public bool UseCandidate => HasAttribute(StunAttributeType.UseCandidate);

    public bool TryGetIceControlling(out ulong tieBreaker) =>
        TryGetUInt64(StunAttributeType.IceControlling, out tieBreaker);

    public bool TryGetIceControlled(out ulong tieBreaker) =>
        TryGetUInt64(StunAttributeType.IceControlled, out tieBreaker);

    /// <summary>ERROR-CODE as a number (class × 100 + number) and its UTF-8 reason phrase.</summary>
    public bool TryGetErrorCode(out int code, out ReadOnlySpan<byte> reason)
    {
        code = 0;
        reason = default;
        if (!TryGetAttribute(StunAttributeType.ErrorCode, out ReadOnlySpan<byte> value) || value.Length < 4)
        {
            return false;
        }

        code = ((value[2] & 0x07) * 100) + value[3];
        reason = value[4..];
        return true;
    }

    public bool TryGetXorMappedAddress(out TransportAddress address) =>
        TryDecodeAddress(StunAttributeType.XorMappedAddress, xor: true, out address);

    public bool TryGetMappedAddress(out TransportAddress address) =>
        TryDecodeAddress(StunAttributeType.MappedAddress, xor: false, out address);

    /// <summary>Checks MESSAGE-INTEGRITY with the short-term credential <paramref name="key"/> (the ICE password
    /// bytes).</summary>
    public bool VerifyMessageIntegrity(ReadOnlySpan<byte> key)
    {
        if (_integrityOffset < 0)
        {
            return false;
        }

        Span<byte> computed = stackalloc byte[MessageIntegritySize];
        ComputeMessageIntegrity(_message[.._integrityOffset], key, computed);
        return CryptographicOperations.FixedTimeEquals(
            computed,
            _message.Slice(_integrityOffset + 4, MessageIntegritySize)
        );
    }

    /// <summary>True when FINGERPRINT is present and matches.</summary>
    public bool VerifyFingerprint()
    {
        if (_fingerprintOffset < 0)
        {
            return false;
        }

        uint expected = Crc32.Compute(_message[.._fingerprintOffset]) ^ FingerprintXor;
        // The CRC covers a header whose length includes FINGERPRINT, which holds when it is the last attribute.
        return _fingerprintOffset + 8 == _message.Length
            && BinaryPrimitives.ReadUInt32BigEndian(_message.Slice(_fingerprintOffset + 4)) == expected;
    }

    /// <summary>
    /// HMAC-SHA1 over <paramref name="prefix"/> (header and attributes before MESSAGE-INTEGRITY) with the header
    /// length rewritten to end just after the MESSAGE-INTEGRITY attribute.
    /// </summary>
    internal static void ComputeMessageIntegrity(
        ReadOnlySpan<byte> prefix,
        ReadOnlySpan<byte> key,
        Span<byte> destination
    )
    {
        byte[]? rented = null;
        Span<byte> copy =
            prefix.Length <= 1024
                ? stackalloc byte[prefix.Length]
                : (rented = ArrayPool<byte>.Shared.Rent(prefix.Length)).AsSpan(0, prefix.Length);
        prefix.CopyTo(copy);
        BinaryPrimitives.WriteUInt16BigEndian(
            copy.Slice(2),
            (ushort)(prefix.Length - HeaderSize + 4 + MessageIntegritySize)
        );
        HMACSHA1.HashData(key, copy, destination);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private bool TryGetUInt64(ushort type, out ulong value)
    {
        value = 0;
        return TryGetAttribute(type, out ReadOnlySpan<byte> raw)
            && raw.Length == 8
            && BinaryPrimitives.TryReadUInt64BigEndian(raw, out value);
    }

    private bool TryDecodeAddress(ushort type, bool xor, out TransportAddress address)
    {
        address = default;
        if (!TryGetAttribute(type, out ReadOnlySpan<byte> value) || value.Length < 8)
        {
            return false;
        }

        ushort port = BinaryPrimitives.ReadUInt16BigEndian(value.Slice(2));
        Span<byte> bytes = stackalloc byte[16];
        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, MagicCookie);
        TransactionId.CopyTo(mask.Slice(4));
        if (xor)
        {
            port ^= (ushort)(MagicCookie >> 16);
        }

        switch (value[1])
        {
            case 0x01 when value.Length == 8:
                for (int i = 0; i < 4; i++)
                {
                    bytes[i] = (byte)(value[4 + i] ^ (xor ? mask[i] : 0));
                }

                address = TransportAddress.FromIPv4(bytes, port);
                return true;
            case 0x02 when value.Length == 20:
                for (int i = 0; i < 16; i++)
                {
                    bytes[i] = (byte)(value[4 + i] ^ (xor ? mask[i] : 0));
                }

                address = TransportAddress.FromIPv6(bytes, port);
                return true;
            default:
                return false;
        }
    }
}

/// <summary>One attribute: type and value bytes (without padding).</summary>
public readonly ref struct StunAttribute
{
    public StunAttribute(ushort type, ReadOnlySpan<byte> value)
    {
        Type = type;
        Value = value;
    }

    public ushort Type { get; }
    public ReadOnlySpan<byte> Value { get; }
}

public ref struct StunAttributeEnumerator
{
    private readonly ReadOnlySpan<byte> _message;
    private readonly int _integrityOffset;
    private readonly int _fingerprintOffset;
    private int _position;
    private StunAttribute _current;

    public StunAttributeEnumerator(ReadOnlySpan<byte> message, int integrityOffset, int fingerprintOffset)
    {
        _message = message;
        _integrityOffset = integrityOffset;
        _fingerprintOffset = fingerprintOffset;
        _position = StunMessage.HeaderSize;
        _current = default;
    }

    public readonly StunAttribute Current => _current;

    public readonly StunAttributeEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        while (_position + 4 <= _message.Length)
        {
            int at = _position;
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(_message.Slice(at));
            int length = BinaryPrimitives.ReadUInt16BigEndian(_message.Slice(at + 2));
            if (at + 4 + length > _message.Length)
            {
                break;
            }

            _position = at + 4 + ((length + 3) & ~3);
            if (_fingerprintOffset >= 0 && at > _fingerprintOffset)
            {
                break;
            }

            if (_integrityOffset >= 0 && at > _integrityOffset && at != _fingerprintOffset)
            {
                continue;
            }

            _current = new StunAttribute(type, _message.Slice(at + 4, length));
            return true;
        }

        _position = _message.Length;
        return false;
    }
}
