using System.Security.Cryptography;

namespace MobZ.Rtc.Dtls;

/// <summary>
/// A certificate fingerprint as carried in SDP (RFC 8122 §5): <c>a=fingerprint:sha-256 AB:CD:…</c>.
/// The remote one pins the certificate the peer must present in the DTLS handshake (RFC 5763 §5).
/// </summary>
public sealed class DtlsFingerprint
{
    private readonly byte[] _digest;

    private DtlsFingerprint(string algorithm, byte[] digest)
    {
        Algorithm = algorithm;
        _digest = digest;
    }

    /// <summary>Lower-case hash function name as in SDP: sha-1, sha-256, sha-384 or sha-512.</summary>
    public string Algorithm { get; }

    public ReadOnlySpan<byte> Digest => _digest;

    /// <summary>Upper-case colon-separated hex, e.g. <c>AB:CD:01</c>.</summary>
    public string Value =>
        Convert.ToHexString(_digest) switch
        {
            var hex => string.Join(':', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2))),
        };

    /// <summary>The attribute value: <c>sha-256 AB:CD:…</c>.</summary>
    public override string ToString() => $"{Algorithm} {Value}";

    public static DtlsFingerprint Compute(string algorithm, ReadOnlySpan<byte> certificateDer)
    {
        algorithm = algorithm.ToLowerInvariant();
        return new DtlsFingerprint(
            algorithm,
            Hash(algorithm, certificateDer)
                ?? throw new ArgumentException($"unsupported fingerprint hash '{algorithm}'", nameof(algorithm))
        );
    }

    /// <summary>Parses <c>"sha-256 AB:CD:…"</c> (the SDP attribute value); hex is case-insensitive.</summary>
    public static bool TryParse(string? text, out DtlsFingerprint fingerprint)
    {
        fingerprint = null!;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var parts = text.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 2)
            return false;
        string algorithm = parts[0].ToLowerInvariant();
        int expected = DigestLength(algorithm);
        if (expected == 0)
            return false;
        var octets = parts[1].Split(':');
        if (octets.Length != expected)
            return false;
        var digest = new byte[expected];
        for (int i = 0; i < expected; i++)
        {
            if (
                octets[i].Length != 2
                || !byte.TryParse(octets[i], System.Globalization.NumberStyles.HexNumber, null, out digest[i])
            )
            {
                return false;
            }
        }
        fingerprint = new DtlsFingerprint(algorithm, digest);
        return true;
    }

    /// <summary>True when <paramref name="certificateDer"/> hashes to this fingerprint (constant-time
    /// compare).</summary>
    public bool Matches(ReadOnlySpan<byte> certificateDer)
    {
        var digest = Hash(Algorithm, certificateDer);
        return digest is not null && CryptographicOperations.FixedTimeEquals(digest, _digest);
    }

    private static int DigestLength(string algorithm) =>
        algorithm switch
        {
            "sha-1" => 20,
            "sha-256" => 32,
            "sha-384" => 48,
            "sha-512" => 64,
            _ => 0,
        };

    private static byte[]? Hash(string algorithm, ReadOnlySpan<byte> data) =>
        algorithm switch
        {
            "sha-1" => SHA1.HashData(data),
            "sha-256" => SHA256.HashData(data),
            "sha-384" => SHA384.HashData(data),
            "sha-512" => SHA512.HashData(data),
            _ => null,
        };
}
