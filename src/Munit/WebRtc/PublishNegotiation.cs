using MobZ.Munit.Routing;
using MobZ.Rtc.Codecs;
using MobZ.Rtc.Rtp;
using MobZ.Rtc.Sdp;
using MobZ.Rtc.Transport;

namespace MobZ.Munit.WebRtc;

/// <summary>A publisher's offer → the Munit's answer, plus what the forwarder needs to know about each track.</summary>
internal static class PublishNegotiation
{
    private const string StartBitrate = "x-google-start-bitrate=1500";

    public sealed record Result(
        SessionDescription Answer,
        IReadOnlyList<PublishedTrack> Tracks,
        IReadOnlyList<SdpCodec> TrackCodecs,
        PublisherExtensions Extensions
    );

    public static Result Negotiate(SessionDescription offer, RtcPeer peer, RtcUdpTransport transport, bool preferH264)
    {
        var options = new SdpAnswerOptions
        {
            IceCredentials = peer.Local.Ice,
            Fingerprint = RemoteParameters.Ours(transport),
            Candidates = peer.Local.Candidates,
            AudioCodecs = MunitCodecs.Audio,
            VideoCodecs = preferH264 ? MunitCodecs.VideoH264First : MunitCodecs.Video,
            PreferOwnCodecOrder = true,
            AudioHeaderExtensionUris = MunitCodecs.AudioExtensionUris,
            VideoHeaderExtensionUris = MunitCodecs.VideoExtensionUris,
            // One codec per section: the forwarder relays exactly what the browser sends, so leave it no choice.
            Customize = (_, section) =>
            {
                if (section.Codecs.FirstOrDefault(c => !c.IsRtx) is not { } chosen)
                    return;
                var rtx = section.FindRtxFor(chosen.PayloadType);
                if (section.Kind == "video")
                {
                    // Start where a three-layer 720p publish needs to be: from there the browser's own estimator
                    // (transport-cc feedback) or the Munit's REMB moves it; from a low start the upper simulcast
                    // layers stay off for seconds.
                    chosen = chosen with
                    {
                        Fmtp = string.IsNullOrEmpty(chosen.Fmtp) ? StartBitrate : chosen.Fmtp + ";" + StartBitrate,
                    };
                }
                section.Codecs = rtx is null ? [chosen] : [chosen, rtx];
            },
        };
        if (!SdpAnswerBuilder.TryCreate(offer, options, out var answer, out var error))
            throw new ArgumentException(error ?? "the offer cannot be answered");

        var tracks = new List<PublishedTrack>();
        var codecs = new List<SdpCodec>();
        foreach (var section in answer!.Media)
        {
            if (section.IsRejected || !section.IsRtp || !section.EffectiveDirection.Receives())
                continue;
            var codec = section.Codecs.First(c => !c.IsRtx);
            var rtx = section.FindRtxFor(codec.PayloadType);
            var kind = section.Kind == "audio" ? MediaKind.Audio : MediaKind.Video;
            IReadOnlyList<string?> rids =
                section.Rids.Count > 0
                    ? SimulcastRids.OrderLowToHigh(section.Rids.Select(r => r.Id).ToArray()).Cast<string?>().ToArray()
                    : [null];
            tracks.Add(
                new PublishedTrack(
                    kind,
                    KeyFrame.FromName(codec.Name),
                    (byte)codec.PayloadType,
                    (uint)codec.ClockRate,
                    (byte)(rtx?.PayloadType ?? 0),
                    rids,
                    section.Mid
                )
                {
                    AbsSendTimeId = section.FindHeaderExtension(RtpExtensionValues.AbsSendTimeUri)?.Id ?? 0,
                }
            );
            codecs.Add(codec);
        }
        if (tracks.Count == 0)
            throw new ArgumentException("the offer sends no audio or video the Munit can receive");

        int Id(string uri) =>
            answer.Media.Select(m => m.FindHeaderExtension(uri)?.Id ?? 0).FirstOrDefault(id => id > 0);
        SdpCodec? video = null;
        for (int i = 0; i < tracks.Count && video is null; i++)
        {
            if (tracks[i].Kind == MediaKind.Video)
                video = codecs[i];
        }

        var extensions = new PublisherExtensions(
            Id(RtpExtensionValues.MidUri),
            Id(RtpExtensionValues.RidUri),
            Id(RtpExtensionValues.RepairedRidUri)
        )
        {
            KeyFramesByFir = video is not null && OnlyFir(video.Feedback),
            // transport-cc needs both halves: the sequence number in the packets and the feedback answered.
            TransportCc = codecs.Any(c => c.HasFeedback("transport-cc"))
                ? Id(RtpExtensionValues.TransportWideCcUri)
                : 0,
            AbsSendTime = Id(RtpExtensionValues.AbsSendTimeUri),
        };
        return new Result(answer, tracks, codecs, extensions);
    }

    private static bool OnlyFir(IReadOnlyList<SdpRtcpFeedback> feedback) =>
        feedback.Any(f => f.Type == "ccm" && f.Parameter == "fir")
        && !feedback.Any(f => f.Type == "nack" && f.Parameter == "pli");
}
