using MobZ.Rtc.Srtp;

namespace MobZ.Rtc.Tests.Srtp;

public class SrtpKeyDerivationTests
{
    // RFC 3711 Appendix B.3.
    private static readonly byte[] MasterKey = Convert.FromHexString("E1F97A0D3E018BE0D64FA32C06DE4139");
    private static readonly byte[] MasterSalt = Convert.FromHexString("0EC675AD498AFEEBB6960B3AABE6");

    [Theory]
    [InlineData(SrtpKeyDerivation.RtpEncryption, "C61E7A93744F39EE10734AFE3FF7A087")]
    [InlineData(SrtpKeyDerivation.RtpSalt, "30CBBC08863D8C85D49DB34A9AE1")]
    [InlineData(
        SrtpKeyDerivation.RtpAuthentication,
        "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE"
            + "E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25"
            + "6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2"
    )]
    public void Session_keys_match_rfc3711_appendix_b3(byte label, string expectedHex)
    {
        var expected = Convert.FromHexString(expectedHex);
        var output = new byte[expected.Length];

        SrtpKeyDerivation.Derive(MasterKey, MasterSalt, label, output);

        Assert.Equal(expectedHex, Convert.ToHexString(output));
    }

    [Fact]
    public void Dtls_keying_material_splits_into_client_key_server_key_client_salt_server_salt()
    {
        var material = new byte[SrtpKeys.KeyingMaterialLength(SrtpProfile.Aes128CmHmacSha1_80)];
        for (int i = 0; i < material.Length; i++)
            material[i] = (byte)i;

        var (client, server) = SrtpKeys.FromKeyingMaterial(SrtpProfile.Aes128CmHmacSha1_80, material);

        Assert.Equal(material[..16], client.MasterKey);
        Assert.Equal(material[16..32], server.MasterKey);
        Assert.Equal(material[32..46], client.MasterSalt);
        Assert.Equal(material[46..60], server.MasterSalt);
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, 60)]
    [InlineData(SrtpProfile.AeadAes128Gcm, 56)]
    public void Keying_material_length_follows_profile(SrtpProfile profile, int expected)
    {
        Assert.Equal(expected, SrtpKeys.KeyingMaterialLength(profile));
    }
}
