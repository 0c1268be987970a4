using System.Security.Cryptography;
using System.Text;

namespace MobZ.Rtc.Dtls.Handshake;

/// <summary>
/// The TLS 1.2 PRF with SHA-256 (RFC 5246 §5), the only one our cipher suite uses:
/// <c>P_SHA256(secret, label + seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + …</c>,
/// <c>A(0) = seed</c>, <c>A(i) = HMAC(secret, A(i-1))</c>.
/// </summary>
internal static class TlsPrf
{
    private const int HashLength = 32;

    public static void Derive(
        ReadOnlySpan<byte> secret,
        string label,
        ReadOnlySpan<byte> seedA,
        ReadOnlySpan<byte> seedB,
        Span<byte> output
    )
    {
        int labelLength = Encoding.ASCII.GetByteCount(label);
        int seedLength = labelLength + seedA.Length + seedB.Length;
        Span<byte> buffer = stackalloc byte[HashLength + seedLength]; // A(i) followed by label + seed
        Span<byte> seed = buffer[HashLength..];
        Encoding.ASCII.GetBytes(label, seed);
        seedA.CopyTo(seed[labelLength..]);
        seedB.CopyTo(seed[(labelLength + seedA.Length)..]);

        Span<byte> a = buffer[..HashLength];
        Span<byte> block = stackalloc byte[HashLength];
        HMACSHA256.HashData(secret, seed, a); // A(1)
        for (int written = 0; written < output.Length; written += HashLength)
        {
            HMACSHA256.HashData(secret, buffer, block); // HMAC(secret, A(i) + seed)
            block[..Math.Min(HashLength, output.Length - written)].CopyTo(output[written..]);
            HMACSHA256.HashData(secret, a, block); // A(i+1)
            block.CopyTo(a);
        }
        CryptographicOperations.ZeroMemory(block);
    }
}
