using System.Buffers.Binary;

namespace MobZ.Rtc.Rtp;

/// <summary>
/// Copies a packet with its extension block rebuilt for another receiver: element ids are translated through a
/// 256-entry map (0 drops the element, e.g. rid towards a viewer that did not negotiate it) and one element can be
/// set to a value of any length (e.g. the viewer's own mid). Chooses the one-byte form when everything fits it.
/// Allocation-free; the destination must not overlap the source.
/// </summary>
public static class RtpHeaderExtensionRewriter
{
    private const int MaxBlock = 1024;

    /// <param name="idMap">idMap[sourceId] = destination id (1-255), or 0 to drop; must have 256 entries.</param>
    /// <param name="setId">Destination id whose value becomes <paramref name="setValue"/> (added if absent); 0 for none.</param>
    public static bool TryRewrite(
        ReadOnlySpan<byte> packet, Span<byte> destination, ReadOnlySpan<byte> idMap,
        int setId, ReadOnlySpan<byte> setValue, out int written)
    {
        written = 0;
        if (idMap.Length < 256 || setId is < 0 or > 255 || setValue.Length > 255 || !RtpPacket.TryRead(packet, out RtpPacket rtp))
        {
            return false;
        }

        bool twoByte = setId > 0 && !RtpHeaderExtensionWriter.FitsOneByte(setId, setValue.Length);
        foreach (RtpHeaderExtension element in rtp.Extensions)
        {
            int id = idMap[element.Id];
            if (id != 0 && id != setId && !RtpHeaderExtensionWriter.FitsOneByte(id, element.Value.Length))
            {
                twoByte = true;
            }
        }

        Span<byte> block = stackalloc byte[MaxBlock];
        var writer = new RtpHeaderExtensionWriter(block, twoByte);
        bool setWritten = false;
        foreach (RtpHeaderExtension element in rtp.Extensions)
        {
            int id = idMap[element.Id];
            if (id == 0 || (id == setId && setWritten))
            {
                continue;
            }

            ReadOnlySpan<byte> value = id == setId ? setValue : element.Value;
            setWritten |= id == setId;
            if (!writer.TryAdd(id, value))
            {
                return false;
            }
        }

        if (setId > 0 && !setWritten && !writer.TryAdd(setId, setValue))
        {
            return false;
        }

        int csrcBytes = rtp.CsrcCount * 4;
        int blockSize = writer.Length == 0 ? 0 : 4 + ((writer.Length + 3) & ~3);
        int tail = packet.Length - rtp.HeaderSize; // payload and padding, unchanged
        int size = RtpPacket.FixedHeaderSize + csrcBytes + blockSize + tail;
        if (destination.Length < size)
        {
            return false;
        }

        packet[..(RtpPacket.FixedHeaderSize + csrcBytes)].CopyTo(destination);
        int offset = RtpPacket.FixedHeaderSize + csrcBytes;
        if (blockSize > 0)
        {
            destination[0] |= 0x10;
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(offset), writer.Profile);
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(offset + 2), (ushort)((blockSize - 4) / 4));
            writer.Written.CopyTo(destination.Slice(offset + 4));
            destination.Slice(offset + 4 + writer.Length, blockSize - 4 - writer.Length).Clear();
            offset += blockSize;
        }
        else
        {
            destination[0] &= 0xEF;
        }

        packet[rtp.HeaderSize..].CopyTo(destination.Slice(offset));
        written = offset + tail;
        return true;
    }
}
