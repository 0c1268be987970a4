using MobZ.Rtc.Dtls;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Sdp;

namespace MobZ.Rtc.Transport;

/// <summary>
/// What goes into our answer for a peer: <c>a=ice-lite</c>, <c>a=ice-ufrag</c>, <c>a=ice-pwd</c>,
/// <c>a=fingerprint</c>, <c>a=setup:passive</c>, the host candidates and <c>a=end-of-candidates</c>
/// (an ICE-lite endpoint has all its candidates up front).
/// </summary>
public sealed record RtcLocalParameters(
    IceCredentials Ice,
    DtlsFingerprint Fingerprint,
    IReadOnlyList<IceCandidate> Candidates
)
{
    public bool IceLite => true;

    public string Setup => "passive";

    /// <summary>The fingerprint as the SDP model carries it.</summary>
    public SdpFingerprint SdpFingerprint => new(Fingerprint.Algorithm, Fingerprint.Value);

    /// <summary>
    /// Answer options carrying these transport attributes (ICE-lite credentials, fingerprint,
    /// candidates, setup:passive) for <see cref="SdpAnswerBuilder.TryCreate"/>; the media choices are
    /// the caller's.
    /// </summary>
    public SdpAnswerOptions ToAnswerOptions(
        Func<MediaDescription, SdpDirection>? chooseDirection = null,
        Action<MediaDescription, MediaDescription>? customize = null
    ) =>
        new()
        {
            IceCredentials = Ice,
            Fingerprint = SdpFingerprint,
            Candidates = Candidates,
            IceLite = true,
            PreferredSetup = SdpSetupRole.Passive,
            ChooseDirection = chooseDirection,
            Customize = customize,
        };
}
