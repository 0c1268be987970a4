using MobZ.Rtc.Dtls;

namespace MobZ.Rtc.Transport;

/// <summary>The transport attributes of the remote description (offer) a peer is created from.</summary>
/// <param name="IceUfrag">a=ice-ufrag of the peer.</param>
/// <param name="IcePassword">a=ice-pwd of the peer (not needed by a lite agent for checks, kept for completeness).</param>
/// <param name="Fingerprint">a=fingerprint: the certificate the peer must present in DTLS.</param>
/// <param name="Setup">a=setup: actpass or active; we are always the DTLS server.</param>
public sealed record RtcRemoteParameters(string IceUfrag, string IcePassword, DtlsFingerprint Fingerprint, string Setup = "actpass")
{
    /// <summary>Throws when the peer insists on being the DTLS server (setup:passive), which an SFU answering as passive cannot serve.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(IceUfrag))
            throw new ArgumentException("remote ice-ufrag is missing");
        if (!string.Equals(Setup, "actpass", StringComparison.OrdinalIgnoreCase) && !string.Equals(Setup, "active", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"remote a=setup:{Setup} is not supported: this endpoint is always the DTLS server (answers setup:passive)");
    }
}
