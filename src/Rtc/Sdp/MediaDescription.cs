using MobZ.Rtc.Ice;

namespace MobZ.Rtc.Sdp;

/// <summary>
/// One m-section (RFC 8866 §5.14) with the attributes WebRTC uses typed, and anything else kept in
/// <see cref="OtherAttributes"/> / <see cref="OtherLines"/> in order.
/// </summary>
public sealed class MediaDescription
{
    /// <summary>audio, video or application.</summary>
    public required string Kind { get; set; }

    /// <summary>0 marks a rejected m-section; 9 is the JSEP placeholder.</summary>
    public int Port { get; set; } = 9;

    public int? PortCount { get; set; }

    /// <summary>UDP/TLS/RTP/SAVPF for media, UDP/DTLS/SCTP for data channels.</summary>
    public string Protocol { get; set; } = "UDP/TLS/RTP/SAVPF";

    /// <summary>m-line formats of a non-RTP section (e.g. "webrtc-datachannel"); RTP sections take them from <see
    /// cref="Codecs"/>.</summary>
    public List<string> Formats { get; set; } = [];

    public SdpConnection? Connection { get; set; }
    public List<string> Bandwidths { get; set; } = [];

    public string? Mid { get; set; }
    public SdpDirection? Direction { get; set; }
    public SdpDirection EffectiveDirection => Direction ?? SdpDirection.SendRecv;
    public bool BundleOnly { get; set; }

    public string? IceUfrag { get; set; }
    public string? IcePwd { get; set; }
    public List<string> IceOptions { get; set; } = [];
    public SdpFingerprint? Fingerprint { get; set; }
    public SdpSetupRole? Setup { get; set; }
    public List<IceCandidate> Candidates { get; set; } = [];
    public bool EndOfCandidates { get; set; }

    /// <summary>a=rtcp value verbatim ("9 IN IP4 0.0.0.0").</summary>
    public string? Rtcp { get; set; }
    public bool RtcpMux { get; set; }
    public bool RtcpMuxOnly { get; set; }
    public bool RtcpReducedSize { get; set; }

    public List<SdpCodec> Codecs { get; set; } = [];
    public List<SdpHeaderExtension> HeaderExtensions { get; set; } = [];
    public List<SdpMsid> Msids { get; set; } = [];
    public List<SdpSsrc> Ssrcs { get; set; } = [];
    public List<SdpSsrcGroup> SsrcGroups { get; set; } = [];
    public List<SdpRid> Rids { get; set; } = [];
    public SdpSimulcast? Simulcast { get; set; }

    public int? SctpPort { get; set; }
    public int? MaxMessageSize { get; set; }

    /// <summary>Legacy a=sctpmap value verbatim ("5000 webrtc-datachannel 65535").</summary>
    public string? SctpMap { get; set; }

    public List<SdpAttribute> OtherAttributes { get; set; } = [];

    /// <summary>i=, k= and unknown lines of this section, verbatim including the type letter.</summary>
    public List<string> OtherLines { get; set; } = [];

    public bool IsRtp => Protocol.Contains("RTP", StringComparison.OrdinalIgnoreCase);

    public bool IsDataChannel => Kind == "application" && Protocol.Contains("SCTP", StringComparison.OrdinalIgnoreCase);

    public bool IsRejected => Port == 0 && !BundleOnly;

    public SdpCodec? FindCodec(int payloadType) => Codecs.Find(c => c.PayloadType == payloadType);

    /// <summary>The RTX format whose apt points at <paramref name="payloadType"/>.</summary>
    public SdpCodec? FindRtxFor(int payloadType) => Codecs.Find(c => c.IsRtx && c.AssociatedPayloadType == payloadType);

    public SdpHeaderExtension? FindHeaderExtension(string uri) => HeaderExtensions.Find(e => e.Uri == uri);

    /// <summary>SSRCs named by a=ssrc lines, in first-seen order.</summary>
    public IReadOnlyList<uint> SsrcIds => Ssrcs.Select(s => s.Ssrc).Distinct().ToArray();

    public string? GetSsrcAttribute(uint ssrc, string attribute) =>
        Ssrcs.Find(s => s.Ssrc == ssrc && s.Attribute == attribute)?.Value;

    /// <summary>Media SSRC → RTX SSRC pairs from a=ssrc-group:FID.</summary>
    public IEnumerable<(uint Media, uint Rtx)> RtxPairs =>
        SsrcGroups
            .Where(g => g.Semantics == SdpSsrcGroup.Fid && g.Ssrcs.Count == 2)
            .Select(g => (g.Ssrcs[0], g.Ssrcs[1]));
}
