namespace MobZ.Rtc.Srtp;

/// <summary>
/// SRTP protection profiles negotiated through DTLS use_srtp (RFC 5764 §4.1.2, RFC 7714 §14.2).
/// The numeric values are the IANA "DTLS-SRTP Protection Profiles" code points.
/// </summary>
public enum SrtpProfile : ushort
{
    None = 0,
    Aes128CmHmacSha1_80 = 0x0001,
    AeadAes128Gcm = 0x0007,
}

/// <summary>Key, salt and tag sizes of a profile — what DTLS must export and what SRTP appends.</summary>
public static class SrtpProfiles
{
    /// <summary>Preference order when the peer offers several: AEAD first (one pass, no separate MAC).</summary>
    public static ReadOnlySpan<SrtpProfile> Preferred => [SrtpProfile.AeadAes128Gcm, SrtpProfile.Aes128CmHmacSha1_80];

    public static int KeyLength(SrtpProfile profile) =>
        profile switch
        {
            SrtpProfile.Aes128CmHmacSha1_80 or SrtpProfile.AeadAes128Gcm => 16,
            _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "unsupported SRTP profile"),
        };

    /// <summary>RFC 3711 uses a 112-bit salt for AES-CM; RFC 7714 §12 a 96-bit one for GCM.</summary>
    public static int SaltLength(SrtpProfile profile) =>
        profile switch
        {
            SrtpProfile.Aes128CmHmacSha1_80 => 14,
            SrtpProfile.AeadAes128Gcm => 12,
            _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "unsupported SRTP profile"),
        };

    /// <summary>Bytes appended to an RTP packet: the HMAC-SHA1-80 tag or the 16-byte GCM tag.</summary>
    public static int RtpTrailerLength(SrtpProfile profile) =>
        profile switch
        {
            SrtpProfile.Aes128CmHmacSha1_80 => 10,
            SrtpProfile.AeadAes128Gcm => 16,
            _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "unsupported SRTP profile"),
        };

    /// <summary>Bytes appended to an RTCP packet: the 4-byte E+index word plus the tag.</summary>
    public static int RtcpTrailerLength(SrtpProfile profile) => 4 + RtpTrailerLength(profile);

    /// <summary>The most any profile appends; a sender's buffer needs this much tailroom.</summary>
    public const int MaxTrailerLength = 20;

    public static bool IsSupported(SrtpProfile profile) =>
        profile is SrtpProfile.Aes128CmHmacSha1_80 or SrtpProfile.AeadAes128Gcm;
}
