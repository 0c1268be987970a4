namespace MobZ.Rtc.Sdp;

/// <summary>
/// A parsed SDP offer or answer (RFC 8866, as JSEP / RFC 8829 uses it). <see cref="TryParse"/> never throws;
/// <see cref="ToString"/> writes it back with CRLF line ends.
/// </summary>
public sealed class SessionDescription
{
    public SdpOrigin Origin { get; set; } = new();
    public string SessionName { get; set; } = "-";
    public SdpConnection? Connection { get; set; }
    public List<string> Bandwidths { get; set; } = [];

    /// <summary>t= value verbatim.</summary>
    public string Timing { get; set; } = "0 0";

    public List<SdpGroup> Groups { get; set; } = [];
    public bool IceLite { get; set; }
    public string? IceUfrag { get; set; }
    public string? IcePwd { get; set; }
    public List<string> IceOptions { get; set; } = [];
    public SdpFingerprint? Fingerprint { get; set; }
    public SdpSetupRole? Setup { get; set; }
    public SdpDirection? Direction { get; set; }
    public bool ExtmapAllowMixed { get; set; }

    /// <summary>a=msid-semantic value verbatim (" WMS *" keeps Chromium's leading space).</summary>
    public string? MsidSemantic { get; set; }

    public List<SdpAttribute> OtherAttributes { get; set; } = [];

    /// <summary>i=, u=, e=, p=, z=, k=, r= and unknown session-level lines verbatim.</summary>
    public List<string> OtherLines { get; set; } = [];

    public List<MediaDescription> Media { get; set; } = [];

    /// <summary>The BUNDLE group's mids, or empty.</summary>
    public IReadOnlyList<string> BundleMids =>
        Groups.Find(g => g.Semantics == SdpGroup.Bundle)?.Mids ?? (IReadOnlyList<string>)[];

    public MediaDescription? FindMedia(string mid) => Media.Find(m => m.Mid == mid);

    /// <summary>ICE ufrag of a section, falling back to the session level as RFC 8839 allows.</summary>
    public string? GetIceUfrag(MediaDescription media) => media.IceUfrag ?? IceUfrag;

    public string? GetIcePwd(MediaDescription media) => media.IcePwd ?? IcePwd;

    public SdpFingerprint? GetFingerprint(MediaDescription media) => media.Fingerprint ?? Fingerprint;

    public SdpSetupRole? GetSetup(MediaDescription media) => media.Setup ?? Setup;

    public static bool TryParse(string? text, out SessionDescription? description, out string? error) =>
        SdpParser.TryParse(text, out description, out error);

    public override string ToString() => SdpWriter.Write(this);
}
