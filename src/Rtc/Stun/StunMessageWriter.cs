using System.Buffers.Binary;

namespace MobZ.Rtc.Stun;

/// <summary>
/// Builds a STUN message (layout in <see cref="StunMessage"/>) into a caller buffer. Attributes are appended in call
/// order; add MESSAGE-INTEGRITY and then FINGERPRINT last. Every Try method leaves the message unchanged on failure.
/// </summary>
public ref struct StunMessageWriter
{
    private readonly Span<byte> _buffer;
    private int _length;

    public StunMessageWriter(Span<byte> buffer, ushort messageType, ReadOnlySpan<byte> transactionId)
    {
        if (buffer.Length < StunMessage.HeaderSize || transactionId.Length != 12)
        {
            throw new ArgumentException("A STUN message needs a 20-byte buffer and a 12-byte transaction id.");
        }

        _buffer = buffer;
        BinaryPrimitives.WriteUInt16BigEndian(buffer, messageType);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.Slice(4), StunMessage.MagicCookie);
        transactionId.CopyTo(buffer.Slice(8));
        _length = StunMessage.HeaderSize;
        UpdateLength();
    }

    public readonly int Length => _length;

    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

    public bool TryAddAttribute(ushort type, scoped ReadOnlySpan<byte> value)
    {
        if (!TryReserve(type, value.Length, out Span<byte> target))
        {
            return false;
        }

        value.CopyTo(target);
        return true;
    }

    public bool TryAddUsername(ReadOnlySpan<byte> username) =>
        username.Length <= 763 && TryAddAttribute(StunAttributeType.Username, username);

    public bool TryAddSoftware(ReadOnlySpan<byte> software) => TryAddAttribute(StunAttributeType.Software, software);

    public bool TryAddPriority(uint priority)
    {
        Span<byte> value = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(value, priority);
        return TryAddAttribute(StunAttributeType.Priority, value);
    }

    public bool TryAddUseCandidate() => TryAddAttribute(StunAttributeType.UseCandidate, default);

    public bool TryAddIceControlling(ulong tieBreaker) => TryAddUInt64(StunAttributeType.IceControlling, tieBreaker);

    public bool TryAddIceControlled(ulong tieBreaker) => TryAddUInt64(StunAttributeType.IceControlled, tieBreaker);

    /// <summary>ERROR-CODE with the class/number split of RFC 8489 §14.8 and a UTF-8 reason phrase.</summary>
    public bool TryAddErrorCode(int code, ReadOnlySpan<byte> reason)
    {
        if (
            code is < 300 or > 699
            || reason.Length > 763
            || !TryReserve(StunAttributeType.ErrorCode, 4 + reason.Length, out Span<byte> target)
        )
        {
            return false;
        }

        target[0] = 0;
        target[1] = 0;
        target[2] = (byte)(code / 100);
        target[3] = (byte)(code % 100);
        reason.CopyTo(target.Slice(4));
        return true;
    }

    public bool TryAddXorMappedAddress(in TransportAddress address)
    {
        int addressLength = address.IsIPv4 ? 4 : 16;
        if (!TryReserve(StunAttributeType.XorMappedAddress, 4 + addressLength, out Span<byte> target))
        {
            return false;
        }

        target[0] = 0;
        target[1] = (byte)(address.IsIPv4 ? 0x01 : 0x02);
        BinaryPrimitives.WriteUInt16BigEndian(
            target.Slice(2),
            (ushort)(address.Port ^ (StunMessage.MagicCookie >> 16))
        );
        address.WriteAddressBytes(target.Slice(4));
        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, StunMessage.MagicCookie);
        _buffer.Slice(8, 12).CopyTo(mask.Slice(4));
        for (int i = 0; i < addressLength; i++)
        {
            target[4 + i] ^= mask[i];
        }

        return true;
    }

    /// <summary>Appends MESSAGE-INTEGRITY computed with <paramref name="key"/> (for ICE: the password of the agent that
    /// will verify it).</summary>
    public bool TryAddMessageIntegrity(ReadOnlySpan<byte> key)
    {
        int prefixLength = _length;
        if (!TryReserve(StunAttributeType.MessageIntegrity, StunMessage.MessageIntegritySize, out Span<byte> target))
        {
            return false;
        }

        StunMessage.ComputeMessageIntegrity(_buffer[..prefixLength], key, target);
        return true;
    }

    public bool TryAddFingerprint()
    {
        int prefixLength = _length;
        if (!TryReserve(StunAttributeType.Fingerprint, 4, out Span<byte> target))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(
            target,
            Crc32.Compute(_buffer[..prefixLength]) ^ StunMessage.FingerprintXor
        );
        return true;
    }

    private bool TryAddUInt64(ushort type, ulong value)
    {
        Span<byte> raw = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(raw, value);
        return TryAddAttribute(type, raw);
    }

    /// <summary>Writes the attribute header and zero padding, updates the message length, and returns the value
    /// slot.</summary>
    private bool TryReserve(ushort type, int valueLength, out Span<byte> value)
    {
        int padded = (valueLength + 3) & ~3;
        if (
            valueLength > ushort.MaxValue
            || _length + 4 + padded > _buffer.Length
            || _length + 4 + padded - StunMessage.HeaderSize > ushort.MaxValue
        )
        {
            value = default;
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(_buffer.Slice(_length), type);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.Slice(_length + 2), (ushort)valueLength);
        _buffer.Slice(_length + 4 + valueLength, padded - valueLength).Clear();
        value = _buffer.Slice(_length + 4, valueLength);
        _length += 4 + padded;
        UpdateLength();
        return true;
    }

    private readonly void UpdateLength() =>
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.Slice(2), (ushort)(_length - StunMessage.HeaderSize));
}
