using System.Buffers.Binary;

namespace MobZ.Rtc.Rtp;

/// <summary>
/// Serialises an RTP packet (layout in <see cref="RtpPacket"/>) into a caller buffer.
/// The extension body is padded with zeros to a 32-bit boundary; <see cref="PaddingSize"/> adds RFC 3550 padding.
/// </summary>
public ref struct RtpPacketWriter
{
    public bool Marker { get; set; }
    public byte PayloadType { get; set; }
    public ushort SequenceNumber { get; set; }
    public uint Timestamp { get; set; }
    public uint Ssrc { get; set; }

    /// <summary>Up to 15 contributing sources.</summary>
    public ReadOnlySpan<uint> Csrcs { get; set; }

    /// <summary>Profile of the extension block; no block is written when <see cref="ExtensionData"/> is empty and this
    /// is 0.</summary>
    public ushort ExtensionProfile { get; set; }

    /// <summary>Extension elements (e.g. from <see cref="RtpHeaderExtensionWriter.Written"/>), unpadded.</summary>
    public ReadOnlySpan<byte> ExtensionData { get; set; }

    public ReadOnlySpan<byte> Payload { get; set; }

    /// <summary>Total trailing padding bytes including the count byte (0 = none, at most 255).</summary>
    public byte PaddingSize { get; set; }

    private readonly bool HasExtension => ExtensionProfile != 0 || !ExtensionData.IsEmpty;

    private readonly int ExtensionBlockSize => HasExtension ? 4 + ((ExtensionData.Length + 3) & ~3) : 0;

    public readonly int GetHeaderSize() => RtpPacket.FixedHeaderSize + (Csrcs.Length * 4) + ExtensionBlockSize;

    public readonly int GetSize() => GetHeaderSize() + Payload.Length + PaddingSize;

    public readonly bool TryWrite(Span<byte> destination, out int written)
    {
        written = 0;
        int size = GetSize();
        if (Csrcs.Length > 15 || PayloadType > 127 || destination.Length < size || ExtensionData.Length > 0xFFFF * 4)
        {
            return false;
        }

        destination[0] = (byte)(
            (RtpPacket.Version2 << 6) | (PaddingSize > 0 ? 0x20 : 0) | (HasExtension ? 0x10 : 0) | Csrcs.Length
        );
        destination[1] = (byte)((Marker ? 0x80 : 0) | PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2), SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(4), Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(8), Ssrc);
        int offset = RtpPacket.FixedHeaderSize;
        foreach (uint csrc in Csrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(offset), csrc);
            offset += 4;
        }

        if (HasExtension)
        {
            int padded = (ExtensionData.Length + 3) & ~3;
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(offset), ExtensionProfile);
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(offset + 2), (ushort)(padded / 4));
            ExtensionData.CopyTo(destination.Slice(offset + 4));
            destination.Slice(offset + 4 + ExtensionData.Length, padded - ExtensionData.Length).Clear();
            offset += 4 + padded;
        }

        Payload.CopyTo(destination.Slice(offset));
        offset += Payload.Length;
        if (PaddingSize > 0)
        {
            destination.Slice(offset, PaddingSize - 1).Clear();
            destination[offset + PaddingSize - 1] = PaddingSize;
            offset += PaddingSize;
        }

        written = offset;
        return true;
    }
}
