using MobZ.Rtc.Srtp;

namespace MobZ.LoadTool;

/// <summary>One direction's SRTP keys, as DTLS would derive them: one context protects, the other end's
/// unprotects.</summary>
internal static class SrtpKeyPair
{
    public static (SrtpContext Sender, SrtpContext Receiver) Create()
    {
        var key = new byte[16];
        var salt = new byte[12];
        Random.Shared.NextBytes(key);
        Random.Shared.NextBytes(salt);
        var keys = new SrtpKeys(SrtpProfile.AeadAes128Gcm, key, salt);
        return (new SrtpContext(keys), new SrtpContext(keys));
    }
}
