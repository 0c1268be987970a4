using MobZ.Rtc.Sdp;

namespace MobZ.Rtc.Tests.Sdp;

public class CodecNegotiationTests
{
    private static SdpCodec H264(int pt, string profileLevelId, string mode = "1") =>
        new()
        {
            PayloadType = pt,
            Name = "H264",
            ClockRate = 90000,
            Fmtp = $"level-asymmetry-allowed=1;packetization-mode={mode};profile-level-id={profileLevelId}",
        };

    [Theory]
    [InlineData("42e01f", H264Profile.ConstrainedBaseline, 31)]
    [InlineData("42c01f", H264Profile.ConstrainedBaseline, 31)]
    [InlineData("4d801f", H264Profile.ConstrainedBaseline, 31)]
    [InlineData("4d401f", H264Profile.Main, 31)]
    [InlineData("42001f", H264Profile.Baseline, 31)]
    [InlineData("4d001f", H264Profile.Main, 31)]
    [InlineData("640c1f", H264Profile.ConstrainedHigh, 31)]
    [InlineData("640034", H264Profile.High, 52)]
    [InlineData("f4001f", H264Profile.PredictiveHigh444, 31)]
    [InlineData("42f00b", H264Profile.ConstrainedBaseline, 0)]
    public void Profile_level_id_maps_to_profiles_as_rfc_6184_table_5(string text, H264Profile profile, int level)
    {
        Assert.True(H264ProfileLevelId.TryParse(text, out H264ProfileLevelId value));
        Assert.Equal(profile, value.Profile);
        Assert.Equal(level, value.Level);
        Assert.True(H264ProfileLevelId.TryParse(value.ToString(), out H264ProfileLevelId again));
        Assert.Equal(value, again);
    }

    [Theory]
    [InlineData("")]
    [InlineData("42e0")]
    [InlineData("zzzzzz")]
    [InlineData("58001f0")]
    [InlineData("6e001f")]
    public void Unknown_or_malformed_profile_level_ids_are_refused(string text)
    {
        Assert.False(H264ProfileLevelId.TryParse(text, out _));
    }

    [Theory]
    [InlineData("42e01f", "1", "42e01f", "1", true)]
    [InlineData("42e01f", "1", "42e034", "1", true)]
    [InlineData("42e01f", "1", "42c01f", "1", true)]
    [InlineData("42e01f", "1", "42001f", "1", false)]
    [InlineData("42e01f", "1", "42e01f", "0", false)]
    [InlineData("4d001f", "1", "640c1f", "1", false)]
    public void H264_matches_on_profile_and_packetization_mode_not_level(
        string p1,
        string m1,
        string p2,
        string m2,
        bool match
    )
    {
        Assert.Equal(match, CodecNegotiation.Matches(H264(100, p1, m1), H264(101, p2, m2)));
    }

    [Fact]
    public void H264_without_profile_level_id_is_constrained_baseline_and_without_mode_is_mode_0()
    {
        var bare = new SdpCodec
        {
            PayloadType = 100,
            Name = "H264",
            ClockRate = 90000,
        };
        Assert.True(CodecNegotiation.Matches(bare, H264(101, "42e01f", "0")));
        Assert.False(CodecNegotiation.Matches(bare, H264(101, "42e01f", "1")));
    }

    [Fact]
    public void Names_compare_case_insensitively_and_clock_rate_and_channels_must_match()
    {
        var opus = new SdpCodec
        {
            PayloadType = 111,
            Name = "opus",
            ClockRate = 48000,
            Channels = 2,
        };
        Assert.True(CodecNegotiation.Matches(opus, opus with { Name = "OPUS", PayloadType = 109 }));
        Assert.False(CodecNegotiation.Matches(opus, opus with { Channels = 1 }));
        Assert.False(CodecNegotiation.Matches(opus, opus with { ClockRate = 16000 }));
        var vp9 = new SdpCodec
        {
            PayloadType = 98,
            Name = "VP9",
            ClockRate = 90000,
            Fmtp = "profile-id=0",
        };
        Assert.True(CodecNegotiation.Matches(vp9, vp9 with { Fmtp = null }));
        Assert.False(CodecNegotiation.Matches(vp9, vp9 with { Fmtp = "profile-id=2" }));
    }

    [Fact]
    public void Intersecting_chromiums_video_offer_keeps_its_payload_types_order_and_rtx()
    {
        Assert.True(
            SessionDescription.TryParse(
                SdpTestData.Read("chromium-simulcast-offer.sdp"),
                out SessionDescription? offer,
                out _
            )
        );
        MediaDescription video = offer!.Media[1];
        List<SdpCodec> result = CodecNegotiation.Intersect(video.Codecs, WebRtcCapabilities.VideoCodecs);

        // VP8 96 + rtx 97, H264 CB pm1 (108) + rtx 109 and baseline pm1 (102) + rtx 103, in the offer's order.
        Assert.Equal(new[] { 96, 97, 102, 103, 108, 109 }, result.Select(c => c.PayloadType));
        Assert.Equal("apt=96", result[1].Fmtp);
        Assert.Equal(video.FindCodec(108)!.Fmtp, result[4].Fmtp);
        Assert.True(result[0].HasFeedback("nack", "pli"));
    }

    [Fact]
    public void Own_order_puts_our_preferred_codec_first()
    {
        Assert.True(
            SessionDescription.TryParse(
                SdpTestData.Read("chromium-simulcast-offer.sdp"),
                out SessionDescription? offer,
                out _
            )
        );
        var preferH264 = new[]
        {
            WebRtcCapabilities.VideoCodecs[2],
            WebRtcCapabilities.VideoCodecs[3],
            WebRtcCapabilities.VideoCodecs[0],
        };
        List<SdpCodec> result = CodecNegotiation.Intersect(
            offer!.Media[1].Codecs,
            preferH264,
            preferSupportedOrder: true
        );
        Assert.Equal(new[] { 108, 109, 96, 97 }, result.Select(c => c.PayloadType));
    }

    [Fact]
    public void Feedback_is_limited_to_what_both_sides_support()
    {
        var offered = new[]
        {
            new SdpCodec
            {
                PayloadType = 96,
                Name = "VP8",
                ClockRate = 90000,
                Feedback = [new("nack"), new("nack", "pli"), new("x-custom")],
            },
        };
        var supported = new[]
        {
            new SdpCodec
            {
                PayloadType = 100,
                Name = "VP8",
                ClockRate = 90000,
                Feedback = [new("nack", "pli")],
            },
        };
        SdpCodec kept = Assert.Single(CodecNegotiation.Intersect(offered, supported));
        Assert.Equal(96, kept.PayloadType);
        Assert.Equal(new[] { new SdpRtcpFeedback("nack", "pli") }, kept.Feedback);
    }

    [Fact]
    public void Rtx_is_dropped_when_we_do_not_support_it()
    {
        Assert.True(
            SessionDescription.TryParse(SdpTestData.Read("aiortc-offer.sdp"), out SessionDescription? offer, out _)
        );
        List<SdpCodec> result = CodecNegotiation.Intersect(offer!.Media[1].Codecs, [WebRtcCapabilities.VideoCodecs[0]]);
        Assert.Equal(new[] { 97 }, result.Select(c => c.PayloadType));
    }
}
