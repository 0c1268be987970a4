using MobZ.Rtc.Rtp;

namespace MobZ.Rtc.Sdp;

/// <summary>
/// The codecs, feedback and header extensions a browser offers (Chromium's set), as SDP: the default of
/// <see cref="SdpAnswerOptions"/>. A host answers with what it actually handles (the Munit's <c>MunitCodecs</c>:
/// transport-cc from publishers, whom it sends the feedback, not toward viewers).
/// Payload types and extension ids are the ones we put in our own offers; answers reuse the offerer's.
/// </summary>
public static class WebRtcCapabilities
{
    private static readonly SdpRtcpFeedback[] VideoFeedback =
    [
        new("goog-remb"),
        new("transport-cc"),
        new("ccm", "fir"),
        new("nack"),
        new("nack", "pli"),
    ];

    public static IReadOnlyList<SdpCodec> AudioCodecs { get; } =
    [
        new SdpCodec
        {
            PayloadType = 111,
            Name = "opus",
            ClockRate = 48000,
            Channels = 2,
            Fmtp = "minptime=10;useinbandfec=1",
            Feedback = [new("transport-cc")],
        },
    ];

    public static IReadOnlyList<SdpCodec> VideoCodecs { get; } =
    [
        new SdpCodec
        {
            PayloadType = 96,
            Name = "VP8",
            ClockRate = 90000,
            Feedback = VideoFeedback,
        },
        new SdpCodec
        {
            PayloadType = 97,
            Name = "rtx",
            ClockRate = 90000,
            Fmtp = "apt=96",
        },
        new SdpCodec
        {
            PayloadType = 102,
            Name = "H264",
            ClockRate = 90000,
            Feedback = VideoFeedback,
            Fmtp = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
        },
        new SdpCodec
        {
            PayloadType = 103,
            Name = "rtx",
            ClockRate = 90000,
            Fmtp = "apt=102",
        },
        new SdpCodec
        {
            PayloadType = 104,
            Name = "H264",
            ClockRate = 90000,
            Feedback = VideoFeedback,
            Fmtp = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f",
        },
        new SdpCodec
        {
            PayloadType = 105,
            Name = "rtx",
            ClockRate = 90000,
            Fmtp = "apt=104",
        },
    ];

    /// <summary>Extensions with the ids our offers use; one id per URI across audio and video so BUNDLE stays
    /// valid.</summary>
    public static IReadOnlyList<SdpHeaderExtension> AudioHeaderExtensions { get; } =
    [
        new(1, RtpExtensionValues.AudioLevelUri),
        new(2, RtpExtensionValues.AbsSendTimeUri),
        new(3, RtpExtensionValues.TransportWideCcUri),
        new(4, RtpExtensionValues.MidUri),
    ];

    public static IReadOnlyList<SdpHeaderExtension> VideoHeaderExtensions { get; } =
    [
        new(2, RtpExtensionValues.AbsSendTimeUri),
        new(3, RtpExtensionValues.TransportWideCcUri),
        new(4, RtpExtensionValues.MidUri),
        new(10, RtpExtensionValues.RidUri),
        new(11, RtpExtensionValues.RepairedRidUri),
        new(13, RtpExtensionValues.VideoOrientationUri),
    ];

    public static IEnumerable<string> AudioHeaderExtensionUris => AudioHeaderExtensions.Select(e => e.Uri);

    public static IEnumerable<string> VideoHeaderExtensionUris => VideoHeaderExtensions.Select(e => e.Uri);
}
