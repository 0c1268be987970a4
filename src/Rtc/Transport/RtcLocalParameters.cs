using MobZ.Rtc.Dtls;
using MobZ.Rtc.Ice;

namespace MobZ.Rtc.Transport;

/// <summary>
/// What goes into our answer for a peer: <c>a=ice-lite</c>, <c>a=ice-ufrag</c>, <c>a=ice-pwd</c>,
/// <c>a=fingerprint</c>, <c>a=setup:passive</c>, the host candidates and <c>a=end-of-candidates</c>
/// (an ICE-lite endpoint has all its candidates up front).
/// </summary>
public sealed record RtcLocalParameters(
    IceCredentials Ice,
    DtlsFingerprint Fingerprint,
    IReadOnlyList<IceCandidate> Candidates)
{
    public bool IceLite => true;

    public string Setup => "passive";
}
