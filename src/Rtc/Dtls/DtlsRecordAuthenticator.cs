using System.Buffers.Binary;
using Org.BouncyCastle.Crypto.Tls;

namespace MobZ.Rtc.Dtls;

/// <summary>
/// Opens protected DTLS records with the first protected epoch's read keys, on the socket's receive
/// path: a record is believed only when it authenticates (RFC 6347 §4.1.2.7 — invalid records are
/// discarded, never fatal). Holds its own cipher instance, so BouncyCastle's handshake thread,
/// which decrypts with another one, never shares cipher state with it.
/// </summary>
internal sealed class DtlsRecordAuthenticator(TlsCipher cipher)
{
    /// <summary>We never renegotiate, so the only protected epoch is the first one.</summary>
    public const int ProtectedEpoch = 1;

    private readonly Lock _gate = new();

    /// <summary>The record's plaintext, or null when it does not authenticate.</summary>
    /// <param name="record">One whole record, header included (see <see cref="DtlsRecords"/>).</param>
    public byte[]? TryOpen(ReadOnlySpan<byte> record)
    {
        byte type = record[0];
        // The MAC's and nonce's sequence number is epoch (16 bits) then sequence (48), as on the wire.
        long macSequence = (long)BinaryPrimitives.ReadUInt64BigEndian(record[3..11]);
        var copy = record.ToArray(); // BouncyCastle decrypts from arrays
        try
        {
            lock (_gate)
                return cipher.DecodeCiphertext(macSequence, type, copy, DtlsRecords.HeaderLength, copy.Length - DtlsRecords.HeaderLength);
        }
        catch (Exception e) when (e is TlsFatalAlert or IOException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }
}
