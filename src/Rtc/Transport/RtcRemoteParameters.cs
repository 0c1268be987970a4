using MobZ.Rtc.Dtls;
using MobZ.Rtc.Sdp;

namespace MobZ.Rtc.Transport;

/// <summary>The transport attributes of the remote description (offer) a peer is created from.</summary>
/// <param name="IceUfrag">a=ice-ufrag of the peer.</param>
/// <param name="IcePassword">a=ice-pwd of the peer (not needed by a lite agent for checks, kept for
/// completeness).</param>
/// <param name="Fingerprint">a=fingerprint: the certificate the peer must present in DTLS.</param>
/// <param name="Setup">a=setup: actpass or active; we are always the DTLS server.</param>
public sealed record RtcRemoteParameters(
    string IceUfrag,
    string IcePassword,
    DtlsFingerprint Fingerprint,
    string Setup = "actpass"
)
{
    /// <summary>
    /// Reads the transport attributes of an offer. Under BUNDLE every section shares one transport,
    /// so the first bundled (or else first usable) m-section's ufrag, pwd, fingerprint and setup are taken,
    /// each falling back to its session-level value.
    /// </summary>
    public static bool TryFromSdp(SessionDescription offer, out RtcRemoteParameters? parameters, out string? error)
    {
        parameters = null;
        var bundled = offer.BundleMids;
        var media = offer.Media.Find(m => !m.IsRejected && m.Mid is not null && bundled.Contains(m.Mid))
            ?? offer.Media.Find(m => !m.IsRejected);
        if (media is null)
        {
            error = "offer has no usable m-section";
            return false;
        }
        string? ufrag = offer.GetIceUfrag(media);
        string? pwd = offer.GetIcePwd(media);
        var fingerprint = offer.GetFingerprint(media);
        if (string.IsNullOrEmpty(ufrag) || string.IsNullOrEmpty(pwd))
        {
            error = "offer has no a=ice-ufrag / a=ice-pwd";
            return false;
        }
        if (fingerprint is null || !DtlsFingerprint.TryParse(fingerprint.ToString(), out var dtlsFingerprint))
        {
            error = "offer has no usable a=fingerprint";
            return false;
        }
        string setup = (offer.GetSetup(media) ?? SdpSetupRole.ActPass).ToSdp();
        parameters = new RtcRemoteParameters(ufrag, pwd, dtlsFingerprint, setup);
        error = null;
        return true;
    }

    /// <summary>Throws when the peer insists on being the DTLS server (setup:passive), which an SFU answering as
    /// passive cannot serve.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(IceUfrag))
            throw new ArgumentException("remote ice-ufrag is missing");
        if (
            !string.Equals(Setup, "actpass", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(Setup, "active", StringComparison.OrdinalIgnoreCase)
        )
        {
            throw new ArgumentException(
                $"remote a=setup:{Setup} is not supported: this endpoint is always the DTLS server (answers setup:passive)"
            );
        }
    }
}
