using System.Security.Cryptography;

namespace MobZ.Rtc.Srtp;

/// <summary>
/// RFC 3711 §4.3 key derivation with the AES-CM PRF (also used by RFC 7714 §11 for GCM).
/// Runs once per context, so it may allocate; the packet path never calls it.
/// </summary>
public static class SrtpKeyDerivation
{
    // RFC 3711 §4.3.2 labels; RFC 3711 §4.3.1 key_derivation_rate is 0 for DTLS-SRTP, so r = 0.
    public const byte RtpEncryption = 0x00;
    public const byte RtpAuthentication = 0x01;
    public const byte RtpSalt = 0x02;
    public const byte RtcpEncryption = 0x03;
    public const byte RtcpAuthentication = 0x04;
    public const byte RtcpSalt = 0x05;

    /// <summary>
    /// Writes <paramref name="output"/>.Length bytes of session key material for <paramref name="label"/>:
    /// AES-CM keystream under the master key with IV = (salt XOR label·2^48) ·2^16.
    /// </summary>
    public static void Derive(
        ReadOnlySpan<byte> masterKey,
        ReadOnlySpan<byte> masterSalt,
        byte label,
        Span<byte> output
    )
    {
        if (masterSalt.Length > 14)
            throw new ArgumentException("master salt is at most 14 bytes", nameof(masterSalt));

        Span<byte> iv = stackalloc byte[16];
        iv.Clear();
        masterSalt.CopyTo(iv);
        // key_id = label || index DIV r, and r = 0 makes the index part zero: only byte 7 changes.
        iv[7] ^= label;

        using var aes = Aes.Create();
        aes.Key = masterKey.ToArray();
        int blocks = (output.Length + 15) / 16;
        Span<byte> counters = stackalloc byte[blocks * 16];
        Span<byte> stream = stackalloc byte[blocks * 16];
        for (int i = 0; i < blocks; i++)
        {
            var block = counters.Slice(i * 16, 16);
            iv.CopyTo(block);
            block[14] = (byte)(i >> 8);
            block[15] = (byte)i;
        }
        aes.EncryptEcb(counters, stream, PaddingMode.None);
        stream[..output.Length].CopyTo(output);
        CryptographicOperations.ZeroMemory(stream);
    }
}
