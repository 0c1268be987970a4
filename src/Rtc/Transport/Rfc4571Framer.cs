using System.Buffers.Binary;

namespace MobZ.Rtc.Transport;

/// <summary>What <see cref="Rfc4571Framer.TryRead"/> found at the front of the buffer.</summary>
public enum FrameStatus
{
    /// <summary>A whole frame; call <see cref="Rfc4571Framer.TryRead"/> again for the next one.</summary>
    Frame,

    /// <summary>Only part of a frame (or of its length) so far; read more into <see
    /// cref="Rfc4571Framer.FreeSpace"/>.</summary>
    NeedMore,

    /// <summary>A length of 0 or above the limit: the stream cannot be trusted any more, close it.</summary>
    Malformed,
}

/// <summary>
/// Splits a TCP byte stream into RFC 4571 frames (a 2-byte big-endian length before each STUN, DTLS or SRTP packet)
/// in one fixed buffer: the socket reads into <see cref="FreeSpace"/>, <see cref="TryRead"/> hands out frames in place,
/// and <see cref="Compact"/> moves a trailing partial frame to the front. The buffer holds two of the largest frames,
/// so a partial frame always fits after compaction; nothing is allocated per frame and a peer cannot make it grow.
/// Not thread-safe: one connection's read loop owns it.
/// </summary>
public sealed class Rfc4571Framer
{
    public const int LengthSize = 2;

    private readonly byte[] _buffer;
    private readonly int _maxFrameLength;
    private int _start;
    private int _end;

    /// <param name="maxFrameLength">largest payload accepted; a longer declared length is <see
    /// cref="FrameStatus.Malformed"/>.</param>
    public Rfc4571Framer(int maxFrameLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxFrameLength, ushort.MaxValue);
        _maxFrameLength = maxFrameLength;
        _buffer = new byte[2 * (LengthSize + maxFrameLength)];
    }

    public int MaxFrameLength => _maxFrameLength;

    /// <summary>Bytes received but not yet handed out as frames.</summary>
    public int Buffered => _end - _start;

    /// <summary>Where the next read goes; never empty after <see cref="Compact"/>.</summary>
    public Memory<byte> FreeSpace => _buffer.AsMemory(_end);

    /// <summary>Records <paramref name="count"/> bytes just read into <see cref="FreeSpace"/>.</summary>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _end);
        _end += count;
    }

    /// <summary>
    /// The next whole frame, as a slice of the buffer valid until the next <see cref="Compact"/> or read. A declared
    /// length of 0 or above <see cref="MaxFrameLength"/> is <see cref="FrameStatus.Malformed"/> (RFC 4571 has no
    /// resync).
    /// </summary>
    public FrameStatus TryRead(out Span<byte> frame)
    {
        frame = default;
        int available = _end - _start;
        if (available < LengthSize)
        {
            return FrameStatus.NeedMore;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start));
        if (length == 0 || length > _maxFrameLength)
        {
            return FrameStatus.Malformed;
        }

        if (available < LengthSize + length)
        {
            return FrameStatus.NeedMore;
        }

        frame = _buffer.AsSpan(_start + LengthSize, length);
        _start += LengthSize + length;
        return FrameStatus.Frame;
    }

    /// <summary>Moves the unread bytes (at most a partial frame) to the front so <see cref="FreeSpace"/> can take a
    /// whole frame.</summary>
    public void Compact()
    {
        if (_start == 0)
        {
            return;
        }

        int remaining = _end - _start;
        if (remaining > 0)
        {
            _buffer.AsSpan(_start, remaining).CopyTo(_buffer);
        }

        _start = 0;
        _end = remaining;
    }

    /// <summary>Writes the 2-byte length prefix of a frame of <paramref name="length"/> bytes.</summary>
    public static void WriteLength(Span<byte> destination, int length) =>
        BinaryPrimitives.WriteUInt16BigEndian(destination, checked((ushort)length));
}
