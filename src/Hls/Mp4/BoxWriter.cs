using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace MobZ.Hls.Mp4;

/// <summary>
/// Writes ISO BMFF boxes (ISO/IEC 14496-12 §4.2) into a caller's span. A box is opened with its type and a
/// size placeholder and closed by back-patching the size, so nesting needs no size pre-computation.
/// </summary>
internal ref struct BoxWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    public BoxWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    /// <returns>the box start, for <see cref="EndBox"/>.</returns>
    public int StartBox(ReadOnlySpan<byte> type)
    {
        int start = _position;
        WriteUInt32(0);
        WriteBytes(type);
        return start;
    }

    public int StartFullBox(ReadOnlySpan<byte> type, byte version, uint flags)
    {
        int start = StartBox(type);
        WriteUInt32(((uint)version << 24) | (flags & 0xFFFFFF));
        return start;
    }

    public void EndBox(int start) => BinaryPrimitives.WriteUInt32BigEndian(_buffer[start..], (uint)(_position - start));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUInt8(byte value) => _buffer[_position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[_position..], value);
        _position += 2;
    }

    public void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(_buffer[_position..], value);
        _position += 2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[_position..], value);
        _position += 4;
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer[_position..], value);
        _position += 4;
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_buffer[_position..], value);
        _position += 8;
    }

    public void WriteBytes(scoped ReadOnlySpan<byte> value)
    {
        value.CopyTo(_buffer[_position..]);
        _position += value.Length;
    }

    public void WriteZeros(int count)
    {
        _buffer.Slice(_position, count).Clear();
        _position += count;
    }

    /// <summary>Overwrites 4 bytes already written at <paramref name="offset"/>.</summary>
    public readonly void PatchUInt32(int offset, uint value) =>
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[offset..], value);

    /// <summary>The unity transformation matrix of mvhd and tkhd (§8.2.2.3).</summary>
    public void WriteUnityMatrix()
    {
        WriteUInt32(0x00010000);
        WriteUInt32(0);
        WriteUInt32(0);
        WriteUInt32(0);
        WriteUInt32(0x00010000);
        WriteUInt32(0);
        WriteUInt32(0);
        WriteUInt32(0);
        WriteUInt32(0x40000000);
    }
}
