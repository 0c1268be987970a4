using System.Buffers.Binary;

namespace MobZ.Rtc.Rtp;

/// <summary>
/// In-place edits of a packet already validated with <see cref="RtpPacket.TryRead"/>; the forwarding path
/// rewrites numbers on the shared buffer instead of building a new packet.
/// </summary>
public static class RtpPacketRewriter
{
    public static void SetMarker(Span<byte> packet, bool marker) =>
        packet[1] = (byte)((packet[1] & 0x7F) | (marker ? 0x80 : 0));

    public static void SetPayloadType(Span<byte> packet, byte payloadType) =>
        packet[1] = (byte)((packet[1] & 0x80) | (payloadType & 0x7F));

    public static void SetSequenceNumber(Span<byte> packet, ushort sequenceNumber) =>
        BinaryPrimitives.WriteUInt16BigEndian(packet.Slice(2), sequenceNumber);

    public static void SetTimestamp(Span<byte> packet, uint timestamp) =>
        BinaryPrimitives.WriteUInt32BigEndian(packet.Slice(4), timestamp);

    public static void SetSsrc(Span<byte> packet, uint ssrc) =>
        BinaryPrimitives.WriteUInt32BigEndian(packet.Slice(8), ssrc);

    /// <summary>Returns the writable value bytes of extension <paramref name="id"/>, or false when absent or the packet
    /// is malformed.</summary>
    public static bool TryGetExtension(Span<byte> packet, int id, out Span<byte> value)
    {
        if (
            RtpPacket.TryRead(packet, out RtpPacket rtp) && rtp.TryGetExtensionRange(id, out int offset, out int length)
        )
        {
            value = packet.Slice(offset, length);
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Overwrites the value of extension <paramref name="id"/>; the new value must have the same
    /// length.</summary>
    public static bool TrySetExtension(Span<byte> packet, int id, ReadOnlySpan<byte> value)
    {
        if (!TryGetExtension(packet, id, out Span<byte> target) || target.Length != value.Length)
        {
            return false;
        }

        value.CopyTo(target);
        return true;
    }

    /// <summary>Changes the local id of an element in place (e.g. when the subscriber negotiated another extmap
    /// id).</summary>
    public static bool TryRenumberExtension(Span<byte> packet, int fromId, int toId)
    {
        if (!RtpPacket.TryRead(packet, out RtpPacket rtp))
        {
            return false;
        }

        bool oneByte = RtpHeaderExtensionProfile.IsOneByte(rtp.ExtensionProfile);
        if (oneByte ? toId is < 1 or > 14 : toId is < 1 or > 255)
        {
            return false;
        }

        foreach (RtpHeaderExtension element in rtp.Extensions)
        {
            if (element.Id != fromId)
            {
                continue;
            }

            if (oneByte)
            {
                int at = element.Offset - 1;
                packet[at] = (byte)((toId << 4) | (packet[at] & 0x0F));
            }
            else
            {
                packet[element.Offset - 2] = (byte)toId;
            }

            return true;
        }

        return false;
    }

    /// <summary>Turns an element into padding so receivers skip it (e.g. an extension the subscriber did not
    /// negotiate).</summary>
    public static bool TryBlankExtension(Span<byte> packet, int id)
    {
        if (!RtpPacket.TryRead(packet, out RtpPacket rtp))
        {
            return false;
        }

        int headerBytes = RtpHeaderExtensionProfile.IsOneByte(rtp.ExtensionProfile) ? 1 : 2;
        foreach (RtpHeaderExtension element in rtp.Extensions)
        {
            if (element.Id == id)
            {
                packet.Slice(element.Offset - headerBytes, headerBytes + element.Value.Length).Clear();
                return true;
            }
        }

        return false;
    }

    /// <summary>Largest extension block <see cref="TryWriteExtension"/> rebuilds (far above browsers').</summary>
    private const int MaxRebuiltExtensionBytes = 256;

    /// <summary>
    /// Sets extension <paramref name="id"/> to <paramref name="value"/>: in place when the packet carries it with that
    /// length, else by rebuilding the extension block with it (another element under that id is replaced; the block
    /// is created when the packet has none) and moving the payload, within <paramref name="buffer"/>'s tailroom.
    /// </summary>
    /// <param name="buffer">the packet's buffer; the packet is its first <paramref name="length"/> bytes.</param>
    /// <returns>false when the packet is malformed, uses a non-RFC 8285 extension profile, or would not fit.</returns>
    public static bool TryWriteExtension(
        Span<byte> buffer,
        int length,
        int id,
        ReadOnlySpan<byte> value,
        out int newLength
    )
    {
        newLength = length;
        if (!RtpPacket.TryRead(buffer[..length], out RtpPacket rtp))
        {
            return false;
        }

        if (rtp.TryGetExtensionRange(id, out int offset, out int existing) && existing == value.Length)
        {
            value.CopyTo(buffer.Slice(offset));
            return true;
        }

        bool twoByte = false;
        if (rtp.HasExtension)
        {
            if (RtpHeaderExtensionProfile.IsTwoByte(rtp.ExtensionProfile))
            {
                twoByte = true;
            }
            else if (!RtpHeaderExtensionProfile.IsOneByte(rtp.ExtensionProfile))
            {
                return false;
            }
        }

        twoByte |= !RtpHeaderExtensionWriter.FitsOneByte(id, value.Length);
        Span<byte> scratch = stackalloc byte[MaxRebuiltExtensionBytes];
        var elements = new RtpHeaderExtensionWriter(scratch, twoByte);
        if (rtp.HasExtension)
        {
            foreach (RtpHeaderExtension element in rtp.Extensions)
            {
                if (element.Id != id && !elements.TryAdd(element.Id, element.Value))
                {
                    return false;
                }
            }
        }

        if (!elements.TryAdd(id, value))
        {
            return false;
        }

        int blockStart = RtpPacket.FixedHeaderSize + (rtp.CsrcCount * 4);
        int oldEnd = rtp.HeaderSize;
        int words = (elements.Length + 3) / 4;
        int newEnd = blockStart + 4 + (words * 4);
        int tail = length - oldEnd;
        if (newEnd + tail > buffer.Length)
        {
            return false;
        }

        buffer.Slice(oldEnd, tail).CopyTo(buffer.Slice(newEnd)); // overlapping moves are safe with spans
        BinaryPrimitives.WriteUInt16BigEndian(buffer.Slice(blockStart), elements.Profile);
        BinaryPrimitives.WriteUInt16BigEndian(buffer.Slice(blockStart + 2), (ushort)words);
        elements.Written.CopyTo(buffer.Slice(blockStart + 4));
        buffer.Slice(blockStart + 4 + elements.Length, (words * 4) - elements.Length).Clear();
        buffer[0] |= 0x10;
        newLength = newEnd + tail;
        return true;
    }
}
