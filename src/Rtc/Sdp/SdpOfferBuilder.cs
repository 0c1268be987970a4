using System.Globalization;
using MobZ.Rtc.Ice;

namespace MobZ.Rtc.Sdp;

/// <summary>One m-section of a server offer (e.g. a publisher's track offered to a viewer).</summary>
public sealed class SdpMediaOffer
{
    public required string Kind { get; init; }
    public required string Mid { get; init; }
    public SdpDirection Direction { get; init; } = SdpDirection.SendOnly;
    public required IReadOnlyList<SdpCodec> Codecs { get; init; }
    public IReadOnlyList<SdpHeaderExtension> HeaderExtensions { get; init; } = [];

    /// <summary>SSRC we will send with (null for recvonly/inactive sections).</summary>
    public uint? Ssrc { get; init; }

    /// <summary>RTX SSRC paired with <see cref="Ssrc"/> in a=ssrc-group:FID.</summary>
    public uint? RtxSsrc { get; init; }

    public string? Cname { get; init; }
    public string? StreamId { get; init; }
    public string? TrackId { get; init; }
}

public sealed class SdpOfferOptions
{
    public required IceCredentials IceCredentials { get; init; }
    public required SdpFingerprint Fingerprint { get; init; }
    public IReadOnlyList<IceCandidate> Candidates { get; init; } = [];
    public bool IceLite { get; init; } = true;
    public required IReadOnlyList<SdpMediaOffer> Media { get; init; }

    /// <summary>Adds an m=application data channel section with this mid.</summary>
    public string? DataChannelMid { get; init; }

    public int MaxMessageSize { get; init; } = 262144;
    public string SessionId { get; init; } =
        Random.Shared.NextInt64(1, long.MaxValue).ToString(CultureInfo.InvariantCulture);
    public ulong SessionVersion { get; init; } = 1;
}

/// <summary>
/// Builds a server offer (JSEP §5.2.1): one BUNDLE group with every section, setup actpass, ICE-lite, rtcp-mux and
/// rtcp-rsize, our SSRCs with cname and msid. Rejects header extension ids that would collide inside the bundle.
/// </summary>
public static class SdpOfferBuilder
{
    public static SessionDescription Create(SdpOfferOptions options)
    {
        var sdp = new SessionDescription
        {
            Origin = new SdpOrigin("-", options.SessionId, options.SessionVersion),
            IceLite = options.IceLite,
            MsidSemantic = " WMS",
        };

        foreach (SdpMediaOffer offer in options.Media)
        {
            var section = NewSection(offer.Kind, "UDP/TLS/RTP/SAVPF", offer.Mid, options);
            section.Rtcp = "9 IN IP4 0.0.0.0";
            section.HeaderExtensions = [.. offer.HeaderExtensions];
            section.Direction = offer.Direction;
            section.RtcpMux = true;
            section.RtcpReducedSize = true;
            section.Codecs = [.. offer.Codecs];
            if (offer.StreamId is not null)
            {
                section.Msids.Add(new SdpMsid(offer.StreamId, offer.TrackId));
            }

            if (offer.Ssrc is { } ssrc && offer.Direction.Sends())
            {
                if (offer.RtxSsrc is { } rtx)
                {
                    section.SsrcGroups.Add(new SdpSsrcGroup(SdpSsrcGroup.Fid, [ssrc, rtx]));
                }

                foreach (uint id in offer.RtxSsrc is { } r ? new[] { ssrc, r } : [ssrc])
                {
                    if (offer.Cname is not null)
                    {
                        section.Ssrcs.Add(new SdpSsrc(id, "cname", offer.Cname));
                    }

                    if (offer.StreamId is not null)
                    {
                        section.Ssrcs.Add(
                            new SdpSsrc(id, "msid", new SdpMsid(offer.StreamId, offer.TrackId).ToString())
                        );
                    }
                }
            }

            sdp.Media.Add(section);
        }

        if (options.DataChannelMid is not null)
        {
            MediaDescription data = NewSection("application", "UDP/DTLS/SCTP", options.DataChannelMid, options);
            data.Formats.Add("webrtc-datachannel");
            data.SctpPort = 5000;
            data.MaxMessageSize = options.MaxMessageSize;
            sdp.Media.Add(data);
        }

        string? conflict = HeaderExtensionNegotiation.FindBundleConflict(sdp.Media);
        if (conflict is not null)
        {
            throw new ArgumentException(
                "Header extension ids collide inside the BUNDLE group: " + conflict,
                nameof(options)
            );
        }

        var mids = sdp.Media.Select(m => m.Mid!).ToArray();
        if (mids.Distinct(StringComparer.Ordinal).Count() != mids.Length)
        {
            throw new ArgumentException("Every m-section needs its own mid.", nameof(options));
        }

        sdp.Groups.Add(new SdpGroup(SdpGroup.Bundle, mids));
        return sdp;
    }

    private static MediaDescription NewSection(string kind, string protocol, string mid, SdpOfferOptions options)
    {
        var section = new MediaDescription
        {
            Kind = kind,
            Protocol = protocol,
            Mid = mid,
            Connection = new SdpConnection(),
            IceUfrag = options.IceCredentials.Ufrag,
            IcePwd = options.IceCredentials.Password,
            Fingerprint = options.Fingerprint,
            Setup = SdpSetupRole.ActPass,
            EndOfCandidates = options.Candidates.Count > 0,
        };
        section.Candidates.AddRange(options.Candidates);
        return section;
    }
}
