namespace MobZ.Rtc.Srtp;

/// <summary>
/// One SRTP protection profile's transform over session keys: encrypts/decrypts in place and
/// writes/checks the tag. Index bookkeeping (ROC, replay) lives in <see cref="SrtpContext"/>.
/// Implementations keep per-instance scratch state and are not thread-safe.
/// </summary>
public interface ISrtpCipher : IDisposable
{
    SrtpProfile Profile { get; }

    /// <summary>Bytes appended after an RTP packet (the tag).</summary>
    int RtpTrailerLength { get; }

    /// <summary>Bytes appended after an RTCP packet (E+index word and tag, in the profile's order).</summary>
    int RtcpTrailerLength { get; }

    /// <summary>
    /// Encrypts <c>buffer[headerLength..packetLength]</c> in place and writes the trailer at
    /// <c>buffer[packetLength..packetLength + RtpTrailerLength]</c>.
    /// </summary>
    void EncryptRtp(Span<byte> buffer, int packetLength, int headerLength, uint ssrc, uint roc, ushort sequenceNumber);

    /// <summary>
    /// Verifies the trailer of <paramref name="packet"/> and on success decrypts the payload in place.
    /// When verification fails the payload bytes are unspecified (AES-GCM zeroes them); drop the packet.
    /// </summary>
    bool DecryptRtp(Span<byte> packet, int headerLength, uint ssrc, uint roc, ushort sequenceNumber);

    /// <summary>Encrypts an RTCP compound packet in place and writes E=1, the index and the tag.</summary>
    void EncryptRtcp(Span<byte> buffer, int packetLength, uint ssrc, uint index);

    /// <summary>Reads the E flag and 31-bit SRTCP index from a protected packet's trailer.</summary>
    bool TryReadRtcpIndex(ReadOnlySpan<byte> packet, out uint index, out bool encrypted);

    /// <summary>Verifies and (if E is set) decrypts an SRTCP packet in place.</summary>
    bool DecryptRtcp(Span<byte> packet, uint ssrc, uint index, bool encrypted);
}
