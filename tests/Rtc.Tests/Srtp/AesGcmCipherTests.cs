using MobZ.Rtc.Srtp;

namespace MobZ.Rtc.Tests.Srtp;

/// <summary>RFC 7714 §16.1 (SRTP) and §17.1 (SRTCP) AEAD_AES_128_GCM vectors, session keys given directly.</summary>
public class AesGcmCipherTests
{
    private static readonly byte[] Key = Convert.FromHexString("000102030405060708090A0B0C0D0E0F");
    private static readonly byte[] Salt = Convert.FromHexString("517569642070726F2071756F");

    private const string Rtp =
        "8040F17B8041F8D35501A0B247616C6C696120657374206F6D6E69732064697669736120696E207061727465732074726573";
    private const string Srtp =
        "8040F17B8041F8D35501A0B2F24DE3A3FB34DE6CACBA861C9D7E4BCABE633BD50D294E6F42A5F47A51C7D19B36DE3ADF8833899D7F27BEB16A9152CF765EE4390CCE";
    private const string Rtcp =
        "81C8000D4D6172734E5450314E545032525450200000042A0000E9304C756E61DEADBEEFDEADBEEFDEADBEEFDEADBEEFDEADBEEF";
    private const string Srtcp =
        "81C8000D4D61727363E94885DCDAB67CA727D7662F6B7E997FF5C0F76C06F32DC676A5F1730D6FDA4CE09B4686303DED0BB9275BC84AA45896CF4D2FC5ABF87245D9EADE800005D4";

    private static AesGcmCipher Cipher() => new(Key, Salt, Key, Salt);

    [Fact]
    public void Encrypts_rtp_like_rfc7714_section_16_1()
    {
        using var cipher = Cipher();
        var plain = Convert.FromHexString(Rtp);
        var buffer = new byte[plain.Length + 16];
        plain.CopyTo(buffer, 0);

        cipher.EncryptRtp(buffer, plain.Length, 12, ssrc: 0x5501A0B2, roc: 0, sequenceNumber: 0xF17B);

        Assert.Equal(Srtp, Convert.ToHexString(buffer));
    }

    [Fact]
    public void Decrypts_rtp_of_rfc7714_section_16_1()
    {
        using var cipher = Cipher();
        var packet = Convert.FromHexString(Srtp);

        Assert.True(cipher.DecryptRtp(packet, 12, 0x5501A0B2, 0, 0xF17B));

        Assert.Equal(Rtp, Convert.ToHexString(packet, 0, packet.Length - 16));
    }

    [Fact]
    public void Encrypts_rtcp_like_rfc7714_section_17_1()
    {
        using var cipher = Cipher();
        var plain = Convert.FromHexString(Rtcp);
        var buffer = new byte[plain.Length + 20];
        plain.CopyTo(buffer, 0);

        cipher.EncryptRtcp(buffer, plain.Length, ssrc: 0x4D617273, index: 0x5D4);

        Assert.Equal(Srtcp, Convert.ToHexString(buffer));
    }

    [Fact]
    public void Decrypts_rtcp_of_rfc7714_section_17_1()
    {
        using var cipher = Cipher();
        var packet = Convert.FromHexString(Srtcp);

        Assert.True(cipher.TryReadRtcpIndex(packet, out uint index, out bool encrypted));
        Assert.Equal(0x5D4u, index);
        Assert.True(encrypted);
        Assert.True(cipher.DecryptRtcp(packet, 0x4D617273, index, encrypted));

        Assert.Equal(Rtcp, Convert.ToHexString(packet, 0, packet.Length - 20));
    }

    [Fact]
    public void Rejects_rtp_with_a_flipped_header_bit_because_the_header_is_authenticated()
    {
        using var cipher = Cipher();
        var packet = Convert.FromHexString(Srtp);
        packet[1] ^= 0x01;

        Assert.False(cipher.DecryptRtp(packet, 12, 0x5501A0B2, 0, 0xF17B));
    }
}
