namespace MobZ.Rtc.Srtp;

/// <summary>Derives session keys from master keys (RFC 3711 §4.3) and builds the profile's cipher.</summary>
public static class SrtpCipherFactory
{
    public static ISrtpCipher Create(SrtpKeys keys)
    {
        Span<byte> rtpKey = stackalloc byte[16];
        Span<byte> rtcpKey = stackalloc byte[16];
        switch (keys.Profile)
        {
            case SrtpProfile.Aes128CmHmacSha1_80:
            {
                Span<byte> rtpSalt = stackalloc byte[14];
                Span<byte> rtcpSalt = stackalloc byte[14];
                Span<byte> rtpAuth = stackalloc byte[20];
                Span<byte> rtcpAuth = stackalloc byte[20];
                SrtpKeyDerivation.Derive(keys.MasterKey, keys.MasterSalt, SrtpKeyDerivation.RtpEncryption, rtpKey);
                SrtpKeyDerivation.Derive(keys.MasterKey, keys.MasterSalt, SrtpKeyDerivation.RtpSalt, rtpSalt);
                SrtpKeyDerivation.Derive(keys.MasterKey, keys.MasterSalt, SrtpKeyDerivation.RtpAuthentication, rtpAuth);
                SrtpKeyDerivation.Derive(keys.MasterKey, keys.MasterSalt, SrtpKeyDerivation.RtcpEncryption, rtcpKey);
                SrtpKeyDerivation.Derive(keys.MasterKey, keys.MasterSalt, SrtpKeyDerivation.RtcpSalt, rtcpSalt);
                SrtpKeyDerivation.Derive(
                    keys.MasterKey,
                    keys.MasterSalt,
                    SrtpKeyDerivation.RtcpAuthentication,
                    rtcpAuth
                );
                return new AesCmHmacSha1Cipher(rtpKey, rtpSalt, rtpAuth, rtcpKey, rtcpSalt, rtcpAuth);
            }
            case SrtpProfile.AeadAes128Gcm:
            {
                Span<byte> rtpSalt = stackalloc byte[12];
                Span<byte> rtcpSalt = stackalloc byte[12];
                SrtpKeyDerivation.Derive(keys.MasterKey, keys.MasterSalt, SrtpKeyDerivation.RtpEncryption, rtpKey);
                SrtpKeyDerivation.Derive(keys.MasterKey, keys.MasterSalt, SrtpKeyDerivation.RtpSalt, rtpSalt);
                SrtpKeyDerivation.Derive(keys.MasterKey, keys.MasterSalt, SrtpKeyDerivation.RtcpEncryption, rtcpKey);
                SrtpKeyDerivation.Derive(keys.MasterKey, keys.MasterSalt, SrtpKeyDerivation.RtcpSalt, rtcpSalt);
                return new AesGcmCipher(rtpKey, rtpSalt, rtcpKey, rtcpSalt);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(keys), keys.Profile, "unsupported SRTP profile");
        }
    }
}
