using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MobZ.Rtc.Dtls;

/// <summary>
/// Record protection for TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (RFC 5288, RFC 6347 §4.1.2):
/// <code>
/// record  = header(13) | explicit nonce(8) | ciphertext | tag(16)
/// nonce   = write_IV(4) | explicit nonce(8)      (we send epoch+sequence as the explicit nonce)
/// aad     = epoch(2) | sequence(6) | type(1) | version(2) | plaintext length(2)
/// </code>
/// One instance per session and direction pair; callers serialise use (the session's lock).
/// </summary>
internal sealed class DtlsRecordProtection : IDisposable
{
    public const int KeyLength = 16;
    public const int FixedIvLength = 4;
    public const int ExplicitNonceLength = 8;
    public const int TagLength = 16;
    public const int Overhead = ExplicitNonceLength + TagLength;

    /// <summary>Key block length (RFC 5246 §6.3): two keys and two implicit IVs, no MAC keys for AEAD.</summary>
    public const int KeyBlockLength = 2 * (KeyLength + FixedIvLength);

    private readonly AesGcm _read;
    private readonly AesGcm _write;
    private readonly byte[] _readIv;
    private readonly byte[] _writeIv;

    /// <param name="keyBlock">client_write_key | server_write_key | client_write_IV | server_write_IV.</param>
    /// <param name="isServer">The server writes with the server half and reads with the client half.</param>
    public DtlsRecordProtection(ReadOnlySpan<byte> keyBlock, bool isServer)
    {
        var clientKey = keyBlock[..KeyLength];
        var serverKey = keyBlock.Slice(KeyLength, KeyLength);
        var clientIv = keyBlock.Slice(2 * KeyLength, FixedIvLength);
        var serverIv = keyBlock.Slice(2 * KeyLength + FixedIvLength, FixedIvLength);
        _read = new AesGcm(isServer ? clientKey : serverKey, TagLength);
        _write = new AesGcm(isServer ? serverKey : clientKey, TagLength);
        _readIv = (isServer ? clientIv : serverIv).ToArray();
        _writeIv = (isServer ? serverIv : clientIv).ToArray();
    }

    /// <summary>Writes a whole protected record into <paramref name="destination"/>; returns its length.</summary>
    public int Seal(byte type, ushort epoch, ulong sequence, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        int length = DtlsRecords.HeaderLength + Overhead + plaintext.Length;
        DtlsRecords.WriteHeader(destination, type, epoch, sequence, Overhead + plaintext.Length);
        var explicitNonce = destination.Slice(DtlsRecords.HeaderLength, ExplicitNonceLength);
        destination.Slice(3, 8).CopyTo(explicitNonce);
        Span<byte> nonce = stackalloc byte[FixedIvLength + ExplicitNonceLength];
        _writeIv.CopyTo(nonce);
        explicitNonce.CopyTo(nonce[FixedIvLength..]);
        Span<byte> aad = stackalloc byte[13];
        AdditionalData(destination, plaintext.Length, aad);
        var ciphertext = destination.Slice(DtlsRecords.HeaderLength + ExplicitNonceLength, plaintext.Length);
        var tag = destination.Slice(DtlsRecords.HeaderLength + ExplicitNonceLength + plaintext.Length, TagLength);
        _write.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        return length;
    }

    /// <summary>
    /// Opens one whole record into <paramref name="plaintext"/> (at least <c>record.Length - 37</c> bytes);
    /// false when it is too short or does not authenticate — such records are dropped, never fatal (RFC 6347 §4.1.2.7).
    /// </summary>
    public bool TryOpen(ReadOnlySpan<byte> record, Span<byte> plaintext, out int length)
    {
        length = record.Length - DtlsRecords.HeaderLength - Overhead;
        if (length < 0 || plaintext.Length < length)
        {
            length = 0;
            return false;
        }
        Span<byte> nonce = stackalloc byte[FixedIvLength + ExplicitNonceLength];
        _readIv.CopyTo(nonce);
        record.Slice(DtlsRecords.HeaderLength, ExplicitNonceLength).CopyTo(nonce[FixedIvLength..]);
        Span<byte> aad = stackalloc byte[13];
        AdditionalData(record, length, aad);
        try
        {
            _read.Decrypt(
                nonce,
                record.Slice(DtlsRecords.HeaderLength + ExplicitNonceLength, length),
                record.Slice(record.Length - TagLength),
                plaintext[..length],
                aad
            );
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            length = 0;
            return false;
        }
    }

    private static void AdditionalData(ReadOnlySpan<byte> header, int plaintextLength, Span<byte> aad)
    {
        header.Slice(3, 8).CopyTo(aad); // epoch + sequence
        header[..3].CopyTo(aad[8..]); // type + version
        BinaryPrimitives.WriteUInt16BigEndian(aad[11..], (ushort)plaintextLength);
    }

    public void Dispose()
    {
        _read.Dispose();
        _write.Dispose();
    }
}
