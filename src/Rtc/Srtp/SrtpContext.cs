using System.Buffers.Binary;

namespace MobZ.Rtc.Srtp;

/// <summary>
/// One direction of an SRTP session (RFC 3711 §3.2): a cipher plus per-SSRC index and replay state.
/// Protect and unprotect work in place on the caller's buffer and allocate nothing per packet
/// (a new SSRC allocates its small state object once).
/// </summary>
/// <remarks>
/// Threading contract: not thread-safe, by design — the hot path takes no lock. Use one context per
/// direction (the receive context from the socket's receive loop only, the send context from one
/// sender at a time; <c>RtcPeer</c> serialises its senders). Replay state follows pion's srtp: the
/// replay check runs before authentication, but state is committed only after the packet
/// authenticated, so garbage can neither advance nor poison the window.
/// </remarks>
public sealed class SrtpContext : IDisposable
{
    public const int DefaultMaxStreams = 1024;

    private readonly ISrtpCipher _cipher;
    private readonly Dictionary<uint, SrtpStream> _streams = [];
    private readonly int _maxStreams;

    public SrtpContext(SrtpKeys keys, int maxStreams = DefaultMaxStreams)
        : this(SrtpCipherFactory.Create(keys), maxStreams) { }

    public SrtpContext(ISrtpCipher cipher, int maxStreams = DefaultMaxStreams)
    {
        _cipher = cipher;
        _maxStreams = maxStreams;
    }

    public SrtpProfile Profile => _cipher.Profile;

    /// <summary>Bytes <see cref="ProtectRtp"/> appends; a send buffer needs this much tailroom.</summary>
    public int RtpTrailerLength => _cipher.RtpTrailerLength;

    /// <summary>Bytes <see cref="ProtectRtcp"/> appends.</summary>
    public int RtcpTrailerLength => _cipher.RtcpTrailerLength;

    /// <summary>
    /// Encrypts the RTP packet in <c>buffer[..packetLength]</c> in place and appends the tag;
    /// <paramref name="protectedLength"/> is the SRTP packet's length.
    /// </summary>
    public SrtpStatus ProtectRtp(Span<byte> buffer, int packetLength, out int protectedLength)
    {
        protectedLength = 0;
        if (
            (uint)packetLength > (uint)buffer.Length
            || !TryReadRtpHeader(buffer[..packetLength], out int headerLength, out ushort sequence, out uint ssrc)
        )
        {
            return SrtpStatus.Malformed;
        }

        if (buffer.Length - packetLength < _cipher.RtpTrailerLength)
            return SrtpStatus.NoTailroom;
        var stream = GetOrAddStream(ssrc);
        if (stream is null)
            return SrtpStatus.TooManyStreams;

        uint roc;
        if (!stream.RtpStarted)
        {
            stream.RtpStarted = true;
            stream.Roc = roc = 0;
            stream.HighestSequence = sequence;
        }
        else
        {
            roc = SrtpIndex.EstimateRoc(stream.HighestSequence, stream.Roc, sequence);
            if (SrtpIndex.Of(roc, sequence) > SrtpIndex.Of(stream.Roc, stream.HighestSequence))
            {
                stream.Roc = roc;
                stream.HighestSequence = sequence;
            }
        }

        _cipher.EncryptRtp(buffer, packetLength, headerLength, ssrc, roc, sequence);
        protectedLength = packetLength + _cipher.RtpTrailerLength;
        return SrtpStatus.Ok;
    }

    /// <summary>
    /// Verifies and decrypts an SRTP packet in place; on <see cref="SrtpStatus.Ok"/> the RTP packet
    /// is <c>packet[..plaintextLength]</c>. On any other status the packet must be dropped.
    /// </summary>
    public SrtpStatus UnprotectRtp(Span<byte> packet, out int plaintextLength)
    {
        plaintextLength = 0;
        int trailer = _cipher.RtpTrailerLength;
        if (
            packet.Length < 12 + trailer
            || !TryReadRtpHeader(packet[..^trailer], out int headerLength, out ushort sequence, out uint ssrc)
        )
        {
            return SrtpStatus.Malformed;
        }

        _streams.TryGetValue(ssrc, out var stream);
        if (stream is null && _streams.Count >= _maxStreams)
            return SrtpStatus.TooManyStreams;

        uint roc = stream is { RtpStarted: true }
            ? SrtpIndex.EstimateRoc(stream.HighestSequence, stream.Roc, sequence)
            : 0;
        ulong index = SrtpIndex.Of(roc, sequence);
        if (stream is not null)
        {
            var replay = stream.RtpReplay.Check(index);
            if (replay != SrtpStatus.Ok)
                return replay;
        }

        if (!_cipher.DecryptRtp(packet, headerLength, ssrc, roc, sequence))
            return SrtpStatus.AuthenticationFailed;

        // Authenticated: only now does the packet change any state.
        stream ??= AddStream(ssrc);
        if (!stream.RtpStarted || index > SrtpIndex.Of(stream.Roc, stream.HighestSequence))
        {
            stream.RtpStarted = true;
            stream.Roc = roc;
            stream.HighestSequence = sequence;
        }
        stream.RtpReplay.Accept(index);
        plaintextLength = packet.Length - trailer;
        return SrtpStatus.Ok;
    }

    /// <summary>Encrypts an RTCP compound packet in place and appends E+index and tag.</summary>
    public SrtpStatus ProtectRtcp(Span<byte> buffer, int packetLength, out int protectedLength)
    {
        protectedLength = 0;
        if (packetLength < 8 || packetLength > buffer.Length || (buffer[0] >> 6) != 2)
            return SrtpStatus.Malformed;
        if (buffer.Length - packetLength < _cipher.RtcpTrailerLength)
            return SrtpStatus.NoTailroom;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        var stream = GetOrAddStream(ssrc);
        if (stream is null)
            return SrtpStatus.TooManyStreams;
        uint index = stream.NextRtcpIndex;
        stream.NextRtcpIndex = (index + 1) & 0x7FFF_FFFF;
        _cipher.EncryptRtcp(buffer, packetLength, ssrc, index);
        protectedLength = packetLength + _cipher.RtcpTrailerLength;
        return SrtpStatus.Ok;
    }

    /// <summary>Verifies and decrypts an SRTCP packet in place; the RTCP packet is
    /// <c>packet[..plaintextLength]</c>.</summary>
    public SrtpStatus UnprotectRtcp(Span<byte> packet, out int plaintextLength)
    {
        plaintextLength = 0;
        if (packet.Length < 8 + _cipher.RtcpTrailerLength || (packet[0] >> 6) != 2)
            return SrtpStatus.Malformed;
        if (!_cipher.TryReadRtcpIndex(packet, out uint index, out bool encrypted))
            return SrtpStatus.Malformed;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);

        _streams.TryGetValue(ssrc, out var stream);
        if (stream is null && _streams.Count >= _maxStreams)
            return SrtpStatus.TooManyStreams;
        if (stream is not null)
        {
            var replay = stream.RtcpReplay.Check(index);
            if (replay != SrtpStatus.Ok)
                return replay;
        }

        if (!_cipher.DecryptRtcp(packet, ssrc, index, encrypted))
            return SrtpStatus.AuthenticationFailed;

        stream ??= AddStream(ssrc);
        stream.RtcpReplay.Accept(index);
        plaintextLength = packet.Length - _cipher.RtcpTrailerLength;
        return SrtpStatus.Ok;
    }

    private SrtpStream? GetOrAddStream(uint ssrc)
    {
        if (_streams.TryGetValue(ssrc, out var stream))
            return stream;
        return _streams.Count >= _maxStreams ? null : AddStream(ssrc);
    }

    private SrtpStream AddStream(uint ssrc)
    {
        var stream = new SrtpStream();
        _streams[ssrc] = stream;
        return stream;
    }

    //  0                   1                   2                   3
    //  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    // |V=2|P|X|  CC   |M|     PT      |       sequence number         |
    // |                           timestamp                           |
    // |           synchronization source (SSRC) identifier            |
    // |            contributing source (CSRC) identifiers (CC×32)     |
    // |      defined by profile       |           length              |  (if X)
    // |                        header extension (length×32)           |
    private static bool TryReadRtpHeader(
        ReadOnlySpan<byte> packet,
        out int headerLength,
        out ushort sequence,
        out uint ssrc
    )
    {
        headerLength = 0;
        sequence = 0;
        ssrc = 0;
        if (packet.Length < 12 || (packet[0] >> 6) != 2)
            return false;
        int length = 12 + 4 * (packet[0] & 0x0F);
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < length + 4)
                return false;
            length += 4 + 4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(length + 2)..]);
        }
        if (length > packet.Length)
            return false;
        headerLength = length;
        sequence = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
        return true;
    }

    public void Dispose() => _cipher.Dispose();
}
