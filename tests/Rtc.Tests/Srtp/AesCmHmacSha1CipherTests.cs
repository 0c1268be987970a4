using MobZ.Rtc.Srtp;

namespace MobZ.Rtc.Tests.Srtp;

public class AesCmHmacSha1CipherTests
{
    [Fact]
    public void Keystream_matches_rfc3711_appendix_b2()
    {
        // Session key and salt given directly, SSRC 0, ROC 0, SEQ 0: a zero payload encrypts to the keystream.
        var key = Convert.FromHexString("2B7E151628AED2A6ABF7158809CF4F3C");
        var salt = Convert.FromHexString("F0F1F2F3F4F5F6F7F8F9FAFBFCFD");
        using var cipher = new AesCmHmacSha1Cipher(key, salt, new byte[20], key, salt, new byte[20]);
        const int blocks = 0xFF02;
        var packet = new byte[12 + blocks * 16 + 10];
        packet[0] = 0x80;

        cipher.EncryptRtp(packet, 12 + blocks * 16, 12, ssrc: 0, roc: 0, sequenceNumber: 0);

        string Block(int i) => Convert.ToHexString(packet, 12 + i * 16, 16);
        Assert.Equal("E03EAD0935C95E80E166B16DD92B4EB4", Block(0x0000));
        Assert.Equal("D23513162B02D0F72A43A2FE4A5F97AB", Block(0x0001));
        Assert.Equal("41E95B3BB0A2E8DD477901E4FCA894C0", Block(0x0002));
        Assert.Equal("EC8CDF7398607CB0F2D21675EA9EA1E4", Block(0xFEFF));
        Assert.Equal("362B7C3C6773516318A077D7FC5073AE", Block(0xFF00));
        Assert.Equal("6A2CC3787889374FBEB4C81B17BA6C44", Block(0xFF01));
    }

    // libsrtp's reference packets (test/srtp_driver.c) under the RFC 3711 B.3 master key.
    private static readonly SrtpKeys LibSrtpKeys = new(
        SrtpProfile.Aes128CmHmacSha1_80,
        Convert.FromHexString("E1F97A0D3E018BE0D64FA32C06DE4139"),
        Convert.FromHexString("0EC675AD498AFEEBB6960B3AABE6")
    );

    private const string ReferenceRtp = "800F1234DECAFBADCAFEBABEABABABABABABABABABABABABABABABAB";
    private const string ReferenceSrtp = "800F1234DECAFBADCAFEBABE4E55DC4CE79978D88CA4D215949D2402B78D6ACC99EA179B8DBB";
    private const string ReferenceRtcp = "81C8000BCAFEBABE" + "ABABABABABABABABABABABABABABABAB";
    private const string ReferenceSrtcp =
        "81C8000BCAFEBABE7128035BE487B9BDBEF89041F977A5A880000001993E08CD54D6C1230798";

    [Fact]
    public void Protects_rtp_exactly_like_libsrtp()
    {
        using var context = new SrtpContext(LibSrtpKeys);
        var buffer = new byte[100];
        var plain = Convert.FromHexString(ReferenceRtp);
        plain.CopyTo(buffer, 0);

        Assert.Equal(SrtpStatus.Ok, context.ProtectRtp(buffer, plain.Length, out int length));

        Assert.Equal(ReferenceSrtp, Convert.ToHexString(buffer, 0, length));
    }

    [Fact]
    public void Unprotects_libsrtp_rtp_in_place()
    {
        using var context = new SrtpContext(LibSrtpKeys);
        var packet = Convert.FromHexString(ReferenceSrtp);

        Assert.Equal(SrtpStatus.Ok, context.UnprotectRtp(packet, out int length));

        Assert.Equal(ReferenceRtp, Convert.ToHexString(packet, 0, length));
    }

    [Fact]
    public void Protects_first_rtcp_exactly_like_libsrtp()
    {
        using var context = new SrtpContext(LibSrtpKeys);
        var buffer = new byte[100];
        var plain = Convert.FromHexString(ReferenceRtcp);
        plain.CopyTo(buffer, 0);

        Assert.Equal(SrtpStatus.Ok, context.ProtectRtcp(buffer, plain.Length, out int length));

        Assert.Equal(ReferenceSrtcp, Convert.ToHexString(buffer, 0, length));
    }

    [Fact]
    public void Unprotects_libsrtp_rtcp_in_place()
    {
        using var context = new SrtpContext(LibSrtpKeys);
        var packet = Convert.FromHexString(ReferenceSrtcp);

        Assert.Equal(SrtpStatus.Ok, context.UnprotectRtcp(packet, out int length));

        Assert.Equal(ReferenceRtcp, Convert.ToHexString(packet, 0, length));
    }
}
