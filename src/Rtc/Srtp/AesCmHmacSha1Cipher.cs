using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MobZ.Rtc.Srtp;

/// <summary>
/// AES_CM_128_HMAC_SHA1_80 (RFC 3711 §4.1.1, §4.2.1): AES counter mode over the payload, then
/// HMAC-SHA1 over header, ciphertext and ROC truncated to 80 bits.
/// The keystream is AES-ECB over a block of counters built in a per-instance scratch buffer, so a
/// packet costs one ECB call, one XOR pass and one HMAC with no allocation.
/// </summary>
public sealed class AesCmHmacSha1Cipher : ISrtpCipher
{
    private const int TagLength = 10;
    private const int BlockSize = 16;

    private readonly Aes _rtpAes;
    private readonly Aes _rtcpAes;
    private readonly ICryptoTransform _rtpEcb;
    private readonly ICryptoTransform _rtcpEcb;
    private readonly IncrementalHash _rtpHmac;
    private readonly IncrementalHash _rtcpHmac;
    private readonly byte[] _rtpSalt;
    private readonly byte[] _rtcpSalt;
    private byte[] _counters = new byte[2048];
    private byte[] _keystream = new byte[2048];

    /// <param name="rtpKey">16-byte session encryption key (k_e).</param>
    /// <param name="rtpSalt">14-byte session salt (k_s).</param>
    /// <param name="rtpAuthKey">20-byte session authentication key (k_a).</param>
    public AesCmHmacSha1Cipher(
        ReadOnlySpan<byte> rtpKey,
        ReadOnlySpan<byte> rtpSalt,
        ReadOnlySpan<byte> rtpAuthKey,
        ReadOnlySpan<byte> rtcpKey,
        ReadOnlySpan<byte> rtcpSalt,
        ReadOnlySpan<byte> rtcpAuthKey
    )
    {
        if (rtpSalt.Length != 14 || rtcpSalt.Length != 14)
            throw new ArgumentException("AES-CM session salts are 14 bytes");
        _rtpAes = CreateAes(rtpKey);
        _rtcpAes = CreateAes(rtcpKey);
        _rtpEcb = _rtpAes.CreateEncryptor();
        _rtcpEcb = _rtcpAes.CreateEncryptor();
        _rtpHmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, rtpAuthKey);
        _rtcpHmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, rtcpAuthKey);
        _rtpSalt = rtpSalt.ToArray();
        _rtcpSalt = rtcpSalt.ToArray();
    }

    public SrtpProfile Profile => SrtpProfile.Aes128CmHmacSha1_80;
    public int RtpTrailerLength => TagLength;
    public int RtcpTrailerLength => 4 + TagLength;

    public void EncryptRtp(
        Span<byte> buffer,
        int packetLength,
        int headerLength,
        uint ssrc,
        uint roc,
        ushort sequenceNumber
    )
    {
        ulong index = ((ulong)roc << 16) | sequenceNumber;
        ApplyKeystream(_rtpEcb, _rtpSalt, ssrc, index, buffer[headerLength..packetLength]);
        Span<byte> rocBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(rocBytes, roc);
        Sign(_rtpHmac, buffer[..packetLength], rocBytes, buffer.Slice(packetLength, TagLength));
    }

    public bool DecryptRtp(Span<byte> packet, int headerLength, uint ssrc, uint roc, ushort sequenceNumber)
    {
        int authenticated = packet.Length - TagLength;
        if (authenticated < headerLength)
            return false;
        Span<byte> rocBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(rocBytes, roc);
        if (!Verify(_rtpHmac, packet[..authenticated], rocBytes, packet[authenticated..]))
            return false;
        ulong index = ((ulong)roc << 16) | sequenceNumber;
        ApplyKeystream(_rtpEcb, _rtpSalt, ssrc, index, packet[headerLength..authenticated]);
        return true;
    }

    // RFC 3711 §3.4: header(8) | encrypted | E+index(4) | tag(10).
    public void EncryptRtcp(Span<byte> buffer, int packetLength, uint ssrc, uint index)
    {
        ApplyKeystream(_rtcpEcb, _rtcpSalt, ssrc, index, buffer[8..packetLength]);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.Slice(packetLength, 4), 0x8000_0000u | index);
        Sign(_rtcpHmac, buffer[..(packetLength + 4)], default, buffer.Slice(packetLength + 4, TagLength));
    }

    public bool TryReadRtcpIndex(ReadOnlySpan<byte> packet, out uint index, out bool encrypted)
    {
        int at = packet.Length - TagLength - 4;
        if (at < 8)
        {
            index = 0;
            encrypted = false;
            return false;
        }
        uint word = BinaryPrimitives.ReadUInt32BigEndian(packet[at..]);
        index = word & 0x7FFF_FFFF;
        encrypted = (word & 0x8000_0000) != 0;
        return true;
    }

    public bool DecryptRtcp(Span<byte> packet, uint ssrc, uint index, bool encrypted)
    {
        int tagAt = packet.Length - TagLength;
        if (tagAt - 4 < 8)
            return false;
        if (!Verify(_rtcpHmac, packet[..tagAt], default, packet[tagAt..]))
            return false;
        if (encrypted)
            ApplyKeystream(_rtcpEcb, _rtcpSalt, ssrc, index, packet[8..(tagAt - 4)]);
        return true;
    }

    /// <summary>
    /// XORs AES-CM keystream into <paramref name="data"/>: IV = salt·2^16 ⊕ SSRC·2^64 ⊕ index·2^16,
    /// counter in the low 16 bits (RFC 3711 §4.1.1).
    /// </summary>
    private void ApplyKeystream(ICryptoTransform ecb, byte[] salt, uint ssrc, ulong index, Span<byte> data)
    {
        if (data.IsEmpty)
            return;
        int blocks = (data.Length + BlockSize - 1) / BlockSize;
        int bytes = blocks * BlockSize;
        if (blocks > 0x10000)
            throw new ArgumentException("AES-CM payload exceeds 2^16 blocks", nameof(data));
        EnsureScratch(bytes);

        Span<byte> iv = stackalloc byte[BlockSize];
        salt.CopyTo(iv);
        iv[14] = 0;
        iv[15] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(iv[4..], BinaryPrimitives.ReadUInt32BigEndian(iv[4..]) ^ ssrc);
        // The 48-bit index lands in bytes 8..13.
        BinaryPrimitives.WriteUInt16BigEndian(
            iv[8..],
            (ushort)(BinaryPrimitives.ReadUInt16BigEndian(iv[8..]) ^ (ushort)(index >> 32))
        );
        BinaryPrimitives.WriteUInt32BigEndian(iv[10..], BinaryPrimitives.ReadUInt32BigEndian(iv[10..]) ^ (uint)index);

        var counters = _counters.AsSpan(0, bytes);
        for (int i = 0; i < blocks; i++)
        {
            var block = counters.Slice(i * BlockSize, BlockSize);
            iv.CopyTo(block);
            BinaryPrimitives.WriteUInt16BigEndian(block[14..], (ushort)i);
        }
        ecb.TransformBlock(_counters, 0, bytes, _keystream, 0);
        SrtpXor.Apply(data, _keystream);
    }

    private void EnsureScratch(int bytes)
    {
        if (_counters.Length < bytes)
        {
            // Grows once for an unusually large packet, then stays.
            _counters = new byte[bytes];
            _keystream = new byte[bytes];
        }
    }

    private static void Sign(IncrementalHash hmac, ReadOnlySpan<byte> data, ReadOnlySpan<byte> suffix, Span<byte> tag)
    {
        Span<byte> full = stackalloc byte[20];
        hmac.AppendData(data);
        if (!suffix.IsEmpty)
            hmac.AppendData(suffix);
        hmac.TryGetHashAndReset(full, out _);
        full[..TagLength].CopyTo(tag);
    }

    private static bool Verify(
        IncrementalHash hmac,
        ReadOnlySpan<byte> data,
        ReadOnlySpan<byte> suffix,
        ReadOnlySpan<byte> tag
    )
    {
        Span<byte> full = stackalloc byte[20];
        hmac.AppendData(data);
        if (!suffix.IsEmpty)
            hmac.AppendData(suffix);
        hmac.TryGetHashAndReset(full, out _);
        return CryptographicOperations.FixedTimeEquals(full[..TagLength], tag);
    }

    private static Aes CreateAes(ReadOnlySpan<byte> key)
    {
        if (key.Length != 16)
            throw new ArgumentException("AES-128 session keys are 16 bytes", nameof(key));
        var aes = Aes.Create();
        aes.Key = key.ToArray();
        aes.Mode = CipherMode.ECB;
        aes.Padding = PaddingMode.None;
        return aes;
    }

    public void Dispose()
    {
        _rtpEcb.Dispose();
        _rtcpEcb.Dispose();
        _rtpAes.Dispose();
        _rtcpAes.Dispose();
        _rtpHmac.Dispose();
        _rtcpHmac.Dispose();
        CryptographicOperations.ZeroMemory(_keystream);
    }
}
