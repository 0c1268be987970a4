using MobZ.Rtc.Sdp;

namespace MobZ.Munit.WebRtc;

/// <summary>
/// What the Munit negotiates: Opus, VP8 and H.264 (with RTX), feedback the Munit acts on (NACK, PLI, FIR,
/// REMB, transport-cc: publishers get feedback so they estimate their own bandwidth, viewers send theirs so
/// the Munit estimates the path to them), and the header extensions it reads (mid, rid, repaired-rid, the
/// transport-wide sequence number) or that help the browser (audio level, abs-send-time).
/// </summary>
public static class MunitCodecs
{
    /// <summary>Video both ways (see docs/munit.md, congestion control).</summary>
    private static readonly SdpRtcpFeedback[] VideoFeedback =
    [
        new("goog-remb"),
        new("ccm", "fir"),
        new("nack"),
        new("nack", "pli"),
        new("transport-cc"),
    ];

    private static readonly SdpRtcpFeedback[] AudioFeedback = [new("transport-cc")];

    public static IReadOnlyList<SdpCodec> Audio { get; } =
    [
        new SdpCodec
        {
            PayloadType = 111,
            Name = "opus",
            ClockRate = 48000,
            Channels = 2,
            Fmtp = "minptime=10;useinbandfec=1",
            // Audio counts in the transport-wide feedback too, both ways.
            Feedback = AudioFeedback,
        },
    ];

    private static readonly SdpCodec Vp8 = new()
    {
        PayloadType = 96,
        Name = "VP8",
        ClockRate = 90000,
        Feedback = VideoFeedback,
    };
    private static readonly SdpCodec Vp8Rtx = new()
    {
        PayloadType = 97,
        Name = "rtx",
        ClockRate = 90000,
        Fmtp = "apt=96",
    };
    private static readonly SdpCodec H264 = new()
    {
        PayloadType = 102,
        Name = "H264",
        ClockRate = 90000,
        Feedback = VideoFeedback,
        Fmtp = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
    };
    private static readonly SdpCodec H264Rtx = new()
    {
        PayloadType = 103,
        Name = "rtx",
        ClockRate = 90000,
        Fmtp = "apt=102",
    };
    private static readonly SdpCodec H264Baseline = new()
    {
        PayloadType = 104,
        Name = "H264",
        ClockRate = 90000,
        Feedback = VideoFeedback,
        Fmtp = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f",
    };
    private static readonly SdpCodec H264BaselineRtx = new()
    {
        PayloadType = 105,
        Name = "rtx",
        ClockRate = 90000,
        Fmtp = "apt=104",
    };

    /// <summary>VP8 first (m2m default).</summary>
    public static IReadOnlyList<SdpCodec> Video { get; } = [Vp8, Vp8Rtx, H264, H264Rtx, H264Baseline, H264BaselineRtx];

    /// <summary>H.264 first: a station that feeds HLS needs H.264 from its publisher.</summary>
    public static IReadOnlyList<SdpCodec> VideoH264First { get; } =
    [H264, H264Rtx, H264Baseline, H264BaselineRtx, Vp8, Vp8Rtx];

    public static IReadOnlyCollection<string> AudioExtensionUris { get; } =
    [
        Rtc.Rtp.RtpExtensionValues.AudioLevelUri,
        Rtc.Rtp.RtpExtensionValues.AbsSendTimeUri,
        Rtc.Rtp.RtpExtensionValues.TransportWideCcUri,
        Rtc.Rtp.RtpExtensionValues.MidUri,
    ];

    public static IReadOnlyCollection<string> VideoExtensionUris { get; } =
    [
        Rtc.Rtp.RtpExtensionValues.AbsSendTimeUri,
        Rtc.Rtp.RtpExtensionValues.TransportWideCcUri,
        Rtc.Rtp.RtpExtensionValues.MidUri,
        Rtc.Rtp.RtpExtensionValues.RidUri,
        Rtc.Rtp.RtpExtensionValues.RepairedRidUri,
    ];

    /// <summary>Feedback in a viewer offer: what the Munit answers (NACK from its cache, PLI/FIR relayed, REMB or
    /// transport-cc for its estimate of the viewer's bandwidth, which caps its layer).</summary>
    public static IReadOnlyList<SdpRtcpFeedback> ViewerVideoFeedback => VideoFeedback;

    /// <summary>A viewer's audio: transport-cc, so audio counts in the viewer's feedback.</summary>
    public static IReadOnlyList<SdpRtcpFeedback> ViewerAudioFeedback => AudioFeedback;
}
