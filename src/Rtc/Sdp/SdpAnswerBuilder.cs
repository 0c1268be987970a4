namespace MobZ.Rtc.Sdp;

/// <summary>
/// Builds our answer to a browser's offer (JSEP §5.3.1): same m-sections and mids in the same order, unsupported ones
/// rejected with port 0, codecs and header extensions intersected, simulcast send rids answered as recv rids, one
/// BUNDLE group of the accepted mids, ICE-lite credentials, candidates and fingerprint in every accepted section.
/// </summary>
public static class SdpAnswerBuilder
{
    public static bool TryCreate(
        SessionDescription offer,
        SdpAnswerOptions options,
        out SessionDescription? answer,
        out string? error
    )
    {
        answer = null;
        error = null;
        var result = new SessionDescription
        {
            Origin = new SdpOrigin("-", options.SessionId, options.SessionVersion),
            IceLite = options.IceLite,
            ExtmapAllowMixed = offer.ExtmapAllowMixed,
            MsidSemantic = offer.MsidSemantic is null ? null : " WMS",
        };

        IReadOnlyList<string> offeredBundle = offer.BundleMids;
        var accepted = new List<string>();
        foreach (MediaDescription offered in offer.Media)
        {
            if (offered.Mid is null && offer.Media.Count > 1)
            {
                error = "offer has several m-sections without a=mid (JSEP requires mids)";
                return false;
            }

            MediaDescription section = AnswerSection(offer, offered, options, out string? sectionError);
            if (sectionError is not null)
            {
                error = sectionError;
                return false;
            }

            result.Media.Add(section);
            if (
                !section.IsRejected
                && section.Mid is not null
                && (offeredBundle.Count == 0 || offeredBundle.Contains(section.Mid))
            )
            {
                accepted.Add(section.Mid);
            }
        }

        if (offeredBundle.Count > 0 && accepted.Count > 0)
        {
            result.Groups.Add(new SdpGroup(SdpGroup.Bundle, accepted));
        }

        answer = result;
        return true;
    }

    private static MediaDescription AnswerSection(
        SessionDescription offer,
        MediaDescription offered,
        SdpAnswerOptions options,
        out string? error
    )
    {
        error = null;
        var section = new MediaDescription
        {
            Kind = offered.Kind,
            Protocol = offered.Protocol,
            Mid = offered.Mid,
            Connection = new SdpConnection(),
        };

        // Audio or video over anything but RTP (a mangled proto such as "UDS/RTP/SAVPF") has no codecs to answer:
        // it is rejected, never accepted with an empty format list that no browser would parse.
        bool supported =
            offered.Port != 0
            && (
                offered.IsDataChannel ? options.AcceptDataChannel : offered.Kind is "audio" or "video" && offered.IsRtp
            );
        List<SdpCodec> codecs = [];
        if (supported && offered.IsRtp)
        {
            codecs = CodecNegotiation.Intersect(
                offered.Codecs,
                offered.Kind == "audio" ? options.AudioCodecs : options.VideoCodecs,
                options.PreferOwnCodecOrder
            );
            supported = codecs.Count > 0;
        }

        if (!supported)
        {
            return Reject(section, offered);
        }

        string? ufrag = offer.GetIceUfrag(offered);
        string? pwd = offer.GetIcePwd(offered);
        SdpFingerprint? fingerprint = offer.GetFingerprint(offered);
        if (ufrag is null || pwd is null)
        {
            error = $"m-section '{offered.Mid}' has no a=ice-ufrag / a=ice-pwd";
            return section;
        }

        if (fingerprint is null)
        {
            error = $"m-section '{offered.Mid}' has no a=fingerprint";
            return section;
        }

        section.IceUfrag = options.IceCredentials.Ufrag;
        section.IcePwd = options.IceCredentials.Password;
        section.Fingerprint = options.Fingerprint;
        section.Setup = offer.GetSetup(offered) switch
        {
            SdpSetupRole.Active => SdpSetupRole.Passive,
            SdpSetupRole.Passive => SdpSetupRole.Active,
            _ => options.PreferredSetup == SdpSetupRole.Active ? SdpSetupRole.Active : SdpSetupRole.Passive,
        };
        section.Candidates.AddRange(options.Candidates);
        section.EndOfCandidates = options.Candidates.Count > 0;

        if (offered.IsDataChannel)
        {
            section.Formats.AddRange(offered.Formats);
            if (offered.SctpMap is not null)
            {
                section.SctpMap = offered.SctpMap;
            }
            else
            {
                section.SctpPort = offered.SctpPort ?? 5000;
            }

            section.MaxMessageSize = options.MaxMessageSize;
            options.Customize?.Invoke(offered, section);
            return section;
        }

        section.Rtcp = "9 IN IP4 0.0.0.0";
        section.Codecs = codecs;
        section.HeaderExtensions = HeaderExtensionNegotiation.Intersect(
            offered.HeaderExtensions,
            offered.Kind == "audio" ? options.AudioHeaderExtensionUris : options.VideoHeaderExtensionUris
        );
        section.Direction = options.ChooseDirection?.Invoke(offered) ?? DefaultDirection(offered.EffectiveDirection);
        section.RtcpMux = offered.RtcpMux || offered.RtcpMuxOnly;
        section.RtcpReducedSize = offered.RtcpReducedSize;
        if (section.EffectiveDirection.Receives())
        {
            (List<SdpRid> rids, SdpSimulcast? simulcast) = SimulcastNegotiation.AnswerReceive(
                offered,
                options.MaxSimulcastLayers
            );
            section.Rids = rids;
            section.Simulcast = simulcast;
        }

        options.Customize?.Invoke(offered, section);
        return section;
    }

    private static SdpDirection DefaultDirection(SdpDirection offered) =>
        offered.Sends() ? SdpDirection.RecvOnly : SdpDirection.Inactive;

    private static MediaDescription Reject(MediaDescription section, MediaDescription offered)
    {
        // JSEP §5.3.1: a rejected section keeps kind, protocol, mid and a format, with port 0.
        section.Port = 0;
        if (offered.IsRtp)
        {
            section.Codecs = offered.Codecs.Take(1).Select(c => c with { Feedback = [], Fmtp = null }).ToList();
            section.Direction = SdpDirection.Inactive;
        }
        else
        {
            section.Formats.AddRange(offered.Formats);
        }

        return section;
    }
}
