using System.Buffers.Binary;

namespace MobZ.Rtc.Dtls.Handshake;

/// <summary>
/// Writes whole handshake messages (12-byte header with offset 0 and fragment length = length, the form
/// the transcript hashes, RFC 6347 §4.2.6) one after another into a span; lengths are patched at the end.
/// </summary>
internal ref struct HandshakeWriter
{
    private readonly Span<byte> _buffer;
    private int _messageStart;

    public HandshakeWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _messageStart = -1;
    }

    public int Position { get; private set; }

    public readonly ReadOnlySpan<byte> Written => _buffer[..Position];

    public void BeginMessage(byte type, ushort sequence)
    {
        _messageStart = Position;
        HandshakeFragment.WriteHeader(_buffer[Position..], type, 0, sequence, 0, 0);
        Position += HandshakeFragment.HeaderLength;
    }

    public void EndMessage()
    {
        int length = Position - _messageStart - HandshakeFragment.HeaderLength;
        HandshakeFragment.WriteUInt24(_buffer[(_messageStart + 1)..], length);
        HandshakeFragment.WriteUInt24(_buffer[(_messageStart + 9)..], length);
        _messageStart = -1;
    }

    public void WriteByte(byte value) => _buffer[Position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[Position..], value);
        Position += 2;
    }

    public void WriteUInt24(int value)
    {
        HandshakeFragment.WriteUInt24(_buffer[Position..], value);
        Position += 3;
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer[Position..]);
        Position += bytes.Length;
    }
}
