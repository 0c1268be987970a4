using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MobZ.Rtc.Srtp;

/// <summary>
/// AEAD_AES_128_GCM (RFC 7714): the RTP header is associated data, the payload is encrypted in
/// place, and a 16-byte tag follows. For SRTCP the 8-byte header plus the E+index word are the
/// associated data and the word follows the tag (RFC 7714 §9.1, §17).
/// </summary>
public sealed class AesGcmCipher : ISrtpCipher
{
    private const int TagLength = 16;
    private const int NonceLength = 12;

    private readonly AesGcm _rtp;
    private readonly AesGcm _rtcp;
    private readonly byte[] _rtpSalt;
    private readonly byte[] _rtcpSalt;

    /// <param name="rtpKey">16-byte session key.</param>
    /// <param name="rtpSalt">12-byte session salt.</param>
    public AesGcmCipher(
        ReadOnlySpan<byte> rtpKey,
        ReadOnlySpan<byte> rtpSalt,
        ReadOnlySpan<byte> rtcpKey,
        ReadOnlySpan<byte> rtcpSalt
    )
    {
        if (rtpSalt.Length != NonceLength || rtcpSalt.Length != NonceLength)
            throw new ArgumentException("AEAD session salts are 12 bytes");
        _rtp = new AesGcm(rtpKey, TagLength);
        _rtcp = new AesGcm(rtcpKey, TagLength);
        _rtpSalt = rtpSalt.ToArray();
        _rtcpSalt = rtcpSalt.ToArray();
    }

    public SrtpProfile Profile => SrtpProfile.AeadAes128Gcm;
    public int RtpTrailerLength => TagLength;
    public int RtcpTrailerLength => TagLength + 4;

    public void EncryptRtp(
        Span<byte> buffer,
        int packetLength,
        int headerLength,
        uint ssrc,
        uint roc,
        ushort sequenceNumber
    )
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        RtpNonce(nonce, ssrc, roc, sequenceNumber);
        var payload = buffer[headerLength..packetLength];
        _rtp.Encrypt(nonce, payload, payload, buffer.Slice(packetLength, TagLength), buffer[..headerLength]);
    }

    public bool DecryptRtp(Span<byte> packet, int headerLength, uint ssrc, uint roc, ushort sequenceNumber)
    {
        int tagAt = packet.Length - TagLength;
        if (tagAt < headerLength)
            return false;
        Span<byte> nonce = stackalloc byte[NonceLength];
        RtpNonce(nonce, ssrc, roc, sequenceNumber);
        var payload = packet[headerLength..tagAt];
        try
        {
            _rtp.Decrypt(nonce, payload, packet[tagAt..], payload, packet[..headerLength]);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // .NET zeroes the output on mismatch; the packet is dropped anyway.
            return false;
        }
    }

    public void EncryptRtcp(Span<byte> buffer, int packetLength, uint ssrc, uint index)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        RtcpNonce(nonce, ssrc, index);
        Span<byte> aad = stackalloc byte[12];
        buffer[..8].CopyTo(aad);
        BinaryPrimitives.WriteUInt32BigEndian(aad[8..], 0x8000_0000u | index);
        var payload = buffer[8..packetLength];
        _rtcp.Encrypt(nonce, payload, payload, buffer.Slice(packetLength, TagLength), aad);
        aad[8..].CopyTo(buffer.Slice(packetLength + TagLength, 4));
    }

    public bool TryReadRtcpIndex(ReadOnlySpan<byte> packet, out uint index, out bool encrypted)
    {
        if (packet.Length < 8 + TagLength + 4)
        {
            index = 0;
            encrypted = false;
            return false;
        }
        uint word = BinaryPrimitives.ReadUInt32BigEndian(packet[^4..]);
        index = word & 0x7FFF_FFFF;
        encrypted = (word & 0x8000_0000) != 0;
        return true;
    }

    public bool DecryptRtcp(Span<byte> packet, uint ssrc, uint index, bool encrypted)
    {
        int indexAt = packet.Length - 4;
        int tagAt = indexAt - TagLength;
        if (tagAt < 8)
            return false;
        Span<byte> nonce = stackalloc byte[NonceLength];
        RtcpNonce(nonce, ssrc, index);
        try
        {
            if (encrypted)
            {
                Span<byte> aad = stackalloc byte[12];
                packet[..8].CopyTo(aad);
                packet[indexAt..].CopyTo(aad[8..]);
                var payload = packet[8..tagAt];
                _rtcp.Decrypt(nonce, payload, packet.Slice(tagAt, TagLength), payload, aad);
            }
            else
            {
                // RFC 7714 §9.2: with E=0 the whole packet and the index word are authenticated only.
                int aadLength = tagAt + 4;
                byte[]? rented = null;
                Span<byte> aad =
                    aadLength <= 512
                        ? stackalloc byte[aadLength]
                        : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(aadLength)).AsSpan(0, aadLength);
                try
                {
                    packet[..tagAt].CopyTo(aad);
                    packet[indexAt..].CopyTo(aad[tagAt..]);
                    _rtcp.Decrypt(
                        nonce,
                        ReadOnlySpan<byte>.Empty,
                        packet.Slice(tagAt, TagLength),
                        Span<byte>.Empty,
                        aad
                    );
                }
                finally
                {
                    if (rented is not null)
                        System.Buffers.ArrayPool<byte>.Shared.Return(rented);
                }
            }
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    // RFC 7714 §8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt.
    private void RtpNonce(Span<byte> nonce, uint ssrc, uint roc, ushort sequenceNumber)
    {
        nonce[0] = 0;
        nonce[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(nonce[2..], ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[6..], roc);
        BinaryPrimitives.WriteUInt16BigEndian(nonce[10..], sequenceNumber);
        SrtpXor.Apply(nonce, _rtpSalt);
    }

    // RFC 7714 §9.1: IV = (00 00 || SSRC || 00 00 || 0 || SRTCP index) XOR salt.
    private void RtcpNonce(Span<byte> nonce, uint ssrc, uint index)
    {
        nonce[0] = 0;
        nonce[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(nonce[2..], ssrc);
        nonce[6] = 0;
        nonce[7] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], index & 0x7FFF_FFFF);
        SrtpXor.Apply(nonce, _rtcpSalt);
    }

    public void Dispose()
    {
        _rtp.Dispose();
        _rtcp.Dispose();
    }
}
