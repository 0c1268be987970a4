using MobZ.Rtc.Dtls;
using MobZ.Rtc.Sdp;
using MobZ.Rtc.Transport;

namespace MobZ.Munit.WebRtc;

internal static class RemoteParameters
{
    /// <summary>The transport attributes of a browser's SDP (the first media section's, as BUNDLE shares
    /// them).</summary>
    public static RtcRemoteParameters From(SessionDescription sdp)
    {
        var media = sdp.Media.FirstOrDefault(m => !m.IsRejected)
            ?? throw new ArgumentException("the SDP has no accepted media section");
        string ufrag = sdp.GetIceUfrag(media) ?? throw new ArgumentException("the SDP has no a=ice-ufrag");
        string pwd = sdp.GetIcePwd(media) ?? throw new ArgumentException("the SDP has no a=ice-pwd");
        var fp = sdp.GetFingerprint(media) ?? throw new ArgumentException("the SDP has no a=fingerprint");
        if (!DtlsFingerprint.TryParse($"{fp.Algorithm} {fp.Value}", out var fingerprint))
            throw new ArgumentException($"unsupported fingerprint {fp.Algorithm}");
        string setup = sdp.GetSetup(media) switch
        {
            SdpSetupRole.Active => "active",
            SdpSetupRole.Passive => "passive",
            _ => "actpass",
        };
        return new RtcRemoteParameters(ufrag, pwd, fingerprint, setup);
    }

    public static SdpFingerprint Ours(RtcUdpTransport transport) =>
        new(transport.Certificate.Fingerprint.Algorithm, transport.Certificate.Fingerprint.Value);

    public static SessionDescription Parse(string? sdp)
    {
        if (!SdpParser.TryParse(sdp, out var parsed, out var error))
            throw new ArgumentException("malformed SDP: " + error);
        return parsed!;
    }
}
