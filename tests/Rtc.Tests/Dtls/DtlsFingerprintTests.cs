using System.Security.Cryptography;
using MobZ.Rtc.Dtls;

namespace MobZ.Rtc.Tests.Dtls;

public class DtlsFingerprintTests
{
    [Fact]
    public void Generated_certificate_fingerprint_is_sha256_of_its_der_in_sdp_format()
    {
        var certificate = DtlsCertificate.Generate();
        var digest = SHA256.HashData(certificate.Der);

        string text = certificate.Fingerprint.ToString();

        Assert.StartsWith("sha-256 ", text);
        Assert.Equal(string.Join(':', digest.Select(b => b.ToString("X2"))), certificate.Fingerprint.Value);
        Assert.Equal(8 + 32 * 3 - 1, text.Length);
    }

    [Fact]
    public void Parsed_fingerprint_matches_only_its_certificate()
    {
        var a = DtlsCertificate.Generate();
        var b = DtlsCertificate.Generate();

        Assert.True(
            DtlsFingerprint.TryParse(
                a.Fingerprint.ToString().ToLowerInvariant().Replace("sha-256", "SHA-256"),
                out var parsed
            )
        );

        Assert.True(parsed.Matches(a.Der));
        Assert.False(parsed.Matches(b.Der));
    }

    [Theory]
    [InlineData("sha-1", 20)]
    [InlineData("sha-384", 48)]
    [InlineData("sha-512", 64)]
    public void Other_hash_functions_round_trip(string algorithm, int length)
    {
        var certificate = DtlsCertificate.Generate();
        var fingerprint = DtlsFingerprint.Compute(algorithm, certificate.Der);

        Assert.True(DtlsFingerprint.TryParse(fingerprint.ToString(), out var parsed));
        Assert.Equal(length, parsed.Digest.Length);
        Assert.True(parsed.Matches(certificate.Der));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha-256")]
    [InlineData("md5 AB:CD")]
    [InlineData("sha-256 AB:CD")]
    [InlineData("sha-1 GG:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00")]
    [InlineData("sha-1 000:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:0")]
    public void Malformed_fingerprints_are_rejected(string? text)
    {
        Assert.False(DtlsFingerprint.TryParse(text, out _));
    }
}
