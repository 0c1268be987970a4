namespace MobZ.Rtc.Sdp;

/// <summary>
/// Codec matching and intersection for answers (RFC 3264 §6.1, JSEP §5.3.1): the answer keeps the offerer's payload
/// types and format parameters, drops what we do not support, and keeps RTX only for kept codecs.
/// </summary>
public static class CodecNegotiation
{
    /// <summary>
    /// True when two formats carry the same media: name and clock rate (and audio channels) equal; for H.264 also the
    /// same profile and packetization-mode; for VP9 the same profile-id; for AV1 the same profile. RTX is matched by
    /// apt elsewhere.
    /// </summary>
    public static bool Matches(SdpCodec a, SdpCodec b)
    {
        if (
            !a.Name.Equals(b.Name, StringComparison.OrdinalIgnoreCase)
            || a.ClockRate != b.ClockRate
            || (a.Channels ?? 1) != (b.Channels ?? 1)
        )
        {
            return false;
        }

        switch (a.Name.ToUpperInvariant())
        {
            case "H264":
                return Parameter(a, "packetization-mode", "0") == Parameter(b, "packetization-mode", "0")
                    && H264ProfileLevelId.TryFromCodec(a, out H264ProfileLevelId pa)
                    && H264ProfileLevelId.TryFromCodec(b, out H264ProfileLevelId pb)
                    && pa.Profile == pb.Profile;
            case "VP9":
                return Parameter(a, "profile-id", "0") == Parameter(b, "profile-id", "0");
            case "AV1":
                return Parameter(a, "profile", "0") == Parameter(b, "profile", "0");
            default:
                return true;
        }
    }

    /// <summary>
    /// The offered formats we support, with offered payload types and fmtp and only the RTCP feedback both sides
    /// list. Order follows the offer (the offerer's preference), or <paramref name="supported"/> when
    /// <paramref name="preferSupportedOrder"/>. Each kept codec is followed by its RTX format when both sides offer
    /// RTX.
    /// </summary>
    public static List<SdpCodec> Intersect(
        IReadOnlyList<SdpCodec> offered,
        IReadOnlyList<SdpCodec> supported,
        bool preferSupportedOrder = false
    )
    {
        bool rtxSupported = supported.Any(c => c.IsRtx);
        var kept = new List<(SdpCodec Codec, int Rank)>();
        foreach (SdpCodec offer in offered)
        {
            if (offer.IsRtx || !offer.HasRtpmap && offer.Name.Length == 0)
            {
                continue;
            }

            int rank = -1;
            for (int i = 0; i < supported.Count; i++)
            {
                if (!supported[i].IsRtx && Matches(offer, supported[i]))
                {
                    rank = i;
                    break;
                }
            }

            if (rank < 0)
            {
                continue;
            }

            SdpCodec local = supported[rank];
            var feedback = offer.Feedback.Where(f => local.HasFeedback(f.Type, f.Parameter)).ToArray();
            kept.Add((offer with { Feedback = feedback }, rank));
        }

        if (preferSupportedOrder)
        {
            kept = kept.OrderBy(k => k.Rank).ToList();
        }

        var result = new List<SdpCodec>(kept.Count * 2);
        foreach ((SdpCodec codec, _) in kept)
        {
            result.Add(codec);
            SdpCodec? rtx =
                rtxSupported && !codec.IsResilience
                    ? offered.FirstOrDefault(o => o.IsRtx && o.AssociatedPayloadType == codec.PayloadType)
                    : null;
            if (rtx is not null)
            {
                result.Add(rtx with { Feedback = [] });
            }
        }

        return result;
    }

    private static string Parameter(SdpCodec codec, string name, string fallback) =>
        codec.TryGetParameter(name, out string? value) && !string.IsNullOrEmpty(value) ? value : fallback;
}
