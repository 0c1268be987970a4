using MobZ.Rtc.Ice;
using MobZ.Rtc.Rtp;
using MobZ.Rtc.Sdp;

namespace MobZ.Rtc.Tests.Sdp;

public class SdpParserTests
{
    private static SessionDescription Parse(string file)
    {
        Assert.True(
            SessionDescription.TryParse(SdpTestData.Read(file), out SessionDescription? sdp, out string? error),
            error
        );
        return sdp!;
    }

    [Fact]
    public void Chromium_simulcast_offer_exposes_rids_simulcast_and_bundle()
    {
        SessionDescription sdp = Parse("chromium-simulcast-offer.sdp");
        Assert.Equal(new[] { "0", "1" }, sdp.BundleMids);
        Assert.True(sdp.ExtmapAllowMixed);
        Assert.Equal(2, sdp.Media.Count);

        MediaDescription video = sdp.Media[1];
        Assert.Equal("video", video.Kind);
        Assert.Equal("1", video.Mid);
        Assert.Equal(SdpDirection.SendOnly, video.Direction);
        Assert.Equal(new[] { "q", "h", "f" }, video.Rids.Select(r => r.Id));
        Assert.All(video.Rids, r => Assert.Equal(SdpRidDirection.Send, r.Direction));
        Assert.NotNull(video.Simulcast);
        Assert.Equal(new[] { "q", "h", "f" }, video.Simulcast!.SendRids);
        Assert.Empty(video.Simulcast.RecvRids);
        Assert.True(video.RtcpMux);
        Assert.True(video.RtcpReducedSize);
        Assert.Equal(10, video.FindHeaderExtension(RtpExtensionValues.RidUri)!.Id);
        Assert.Equal(11, video.FindHeaderExtension(RtpExtensionValues.RepairedRidUri)!.Id);
        Assert.Equal(4, video.FindHeaderExtension(RtpExtensionValues.MidUri)!.Id);
        Assert.Equal(3, video.FindHeaderExtension(RtpExtensionValues.TransportWideCcUri)!.Id);

        SdpCodec vp8 = video.Codecs[0];
        Assert.Equal("VP8", vp8.Name);
        Assert.Equal(90000, vp8.ClockRate);
        Assert.True(vp8.HasFeedback("nack", "pli"));
        Assert.True(vp8.HasFeedback("transport-cc"));
        Assert.Equal(96, video.FindRtxFor(96)!.AssociatedPayloadType);
        Assert.Equal(97, video.FindRtxFor(96)!.PayloadType);

        SdpCodec h264 = video.FindCodec(108)!;
        Assert.True(h264.TryGetParameter("profile-level-id", out string? profile));
        Assert.Equal("42e01f", profile);
        Assert.True(h264.TryGetParameter("packetization-mode", out string? mode));
        Assert.Equal("1", mode);

        Assert.Equal("sha-256", sdp.GetFingerprint(video)!.Algorithm);
        Assert.True(sdp.GetFingerprint(video)!.TryGetDigest(out byte[] digest));
        Assert.Equal(32, digest.Length);
        Assert.Equal(SdpSetupRole.ActPass, sdp.GetSetup(video));
        Assert.NotEmpty(video.Candidates);
        Assert.Contains(video.Candidates, c => c.Transport == "tcp" && c.TcpType == "active");
        Assert.Equal(sdp.Media[0].IceUfrag, video.IceUfrag);
    }

    [Fact]
    public void Chromium_audio_section_has_opus_with_fec_and_an_ssrc_with_cname_and_msid()
    {
        MediaDescription audio = Parse("chromium-simulcast-offer.sdp").Media[0];
        SdpCodec opus = audio.Codecs[0];
        Assert.Equal(("opus", 48000, (int?)2), (opus.Name, opus.ClockRate, opus.Channels));
        Assert.True(opus.TryGetParameter("useinbandfec", out string? fec));
        Assert.Equal("1", fec);
        uint ssrc = Assert.Single(audio.SsrcIds);
        Assert.NotNull(audio.GetSsrcAttribute(ssrc, "cname"));
        Assert.Single(audio.Msids);
        Assert.NotNull(audio.Msids[0].TrackId);
        Assert.Equal(1, audio.FindHeaderExtension(RtpExtensionValues.AudioLevelUri)!.Id);
    }

    [Fact]
    public void Chromium_data_channel_section_uses_sctp_port_and_max_message_size()
    {
        MediaDescription data = Parse("chromium-offer-datachannel.sdp").Media[2];
        Assert.True(data.IsDataChannel);
        Assert.False(data.IsRtp);
        Assert.Equal(new[] { "webrtc-datachannel" }, data.Formats);
        Assert.Equal(5000, data.SctpPort);
        Assert.Equal(262144, data.MaxMessageSize);
    }

    [Fact]
    public void Aiortc_offer_has_ssrc_groups_per_section_credentials_and_legacy_sctpmap()
    {
        SessionDescription sdp = Parse("aiortc-offer.sdp");
        MediaDescription video = sdp.Media[1];
        Assert.Single(video.RtxPairs);
        (uint media, uint rtx) = video.RtxPairs.Single();
        Assert.Contains(media, video.SsrcIds);
        Assert.Contains(rtx, video.SsrcIds);
        Assert.True(video.EndOfCandidates);
        Assert.NotEqual(sdp.Media[0].IceUfrag, video.IceUfrag);
        MediaDescription data = sdp.Media[2];
        Assert.Equal("DTLS/SCTP", data.Protocol);
        Assert.Equal("5000 webrtc-datachannel 65535", data.SctpMap);
        Assert.Equal(
            SdpCodec.FormatParameters(
                ("level-asymmetry-allowed", "1"),
                ("packetization-mode", "1"),
                ("profile-level-id", "42001f")
            ),
            video.FindCodec(99)!.Fmtp
        );
    }

    [Fact]
    public void Firefox_style_offer_reads_fmtp_before_rtpmap_and_directional_extmaps()
    {
        SessionDescription sdp = Parse("firefox-style-simulcast-offer.sdp");
        MediaDescription audio = sdp.Media[0];
        Assert.Equal(SdpDirection.RecvOnly, audio.HeaderExtensions.Single(e => e.Id == 2).Direction);
        Assert.Equal("opus", audio.FindCodec(109)!.Name);
        Assert.Equal("maxplaybackrate=48000;stereo=1;useinbandfec=1", audio.FindCodec(109)!.Fmtp);
        Assert.Equal(1, audio.FindCodec(9)!.Channels);

        MediaDescription video = sdp.Media[1];
        Assert.Equal(new[] { "q", "h", "f" }, video.Simulcast!.SendRids);
        Assert.Equal(3, video.RtxPairs.Count());
        Assert.Equal(126, video.FindRtxFor(126) is null ? -1 : video.FindRtxFor(126)!.AssociatedPayloadType);
        Assert.Equal("sha-256", sdp.Fingerprint!.Algorithm);
        Assert.Equal(sdp.Fingerprint, sdp.GetFingerprint(video));
    }

    [Fact]
    public void Aiortc_candidates_parse_as_typed_candidates()
    {
        IceCandidate candidate = Parse("aiortc-offer.sdp").Media[0].Candidates[0];
        Assert.Equal(IceCandidateType.Host, candidate.Type);
        Assert.Equal("udp", candidate.Transport);
        Assert.Equal(2130706431u, candidate.Priority);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("o=- 1 1 IN IP4 0.0.0.0\r\n", "v=0")]
    [InlineData("v=1\r\n", "v=0")]
    [InlineData("v=0\r\ns=-\r\n", "o=")]
    [InlineData("v=0\r\no=- 1 IN IP4 0.0.0.0\r\n", "line 2")]
    [InlineData("v=0\r\no=- 1 x IN IP4 0.0.0.0\r\n", "o=")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ngarbage\r\n", "line 3")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=audio 9 UDP/TLS/RTP/SAVPF\r\n", "m=")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=audio x UDP/TLS/RTP/SAVPF 111\r\n", "port")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 300\r\n", "payload type")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus\r\n", "rtpmap")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=extmap:0 urn:x\r\n", "extmap")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ssrc:abc cname:x\r\n", "ssrc")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=setup:sometimes\r\n", "setup")]
    [InlineData(
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=fingerprint:sha-256\r\n",
        "fingerprint"
    )]
    [InlineData(
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=fingerprint:sha-256 ZZ:11\r\n",
        "hex"
    )]
    [InlineData("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rid:q sideways\r\n", "rid")]
    [InlineData(
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=simulcast:up q;h\r\n",
        "simulcast"
    )]
    [InlineData(
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n",
        "duplicate mid"
    )]
    [InlineData(
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=mid:1\r\n",
        "second a=mid"
    )]
    [InlineData(
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\na=group:BUNDLE 0 1\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n",
        "BUNDLE"
    )]
    public void Malformed_sdp_fails_with_a_reason(string text, string expectedInError)
    {
        Assert.False(SessionDescription.TryParse(text, out SessionDescription? sdp, out string? error));
        Assert.Null(sdp);
        Assert.Contains(expectedInError, error);
    }

    [Fact]
    public void Oversized_sdp_is_refused()
    {
        string text =
            "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n" + string.Concat(Enumerable.Repeat("a=x-filler:0123456789\r\n", 30000));
        Assert.False(SessionDescription.TryParse(text, out _, out string? error));
        Assert.Contains("more than", error);
    }

    [Fact]
    public void Unknown_attributes_and_lines_are_preserved_in_order()
    {
        const string text =
            "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\ni=info\r\nt=0 0\r\na=x-session:1\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\na=x-one\r\na=rtcp-fb:* nack\r\na=x-two:v a l\r\n";
        Assert.True(SessionDescription.TryParse(text, out SessionDescription? sdp, out _));
        Assert.Equal(new[] { new SdpAttribute("x-session", "1") }, sdp!.OtherAttributes);
        Assert.Equal(new[] { "i=info" }, sdp.OtherLines);
        Assert.Equal(
            new[]
            {
                new SdpAttribute("x-one"),
                new SdpAttribute("rtcp-fb", "* nack"),
                new SdpAttribute("x-two", "v a l"),
            },
            sdp.Media[0].OtherAttributes
        );
        string written = sdp.ToString();
        Assert.Contains("a=x-two:v a l\r\n", written);
        Assert.Contains("a=rtcp-fb:* nack\r\n", written);
    }

    [Fact]
    public void Bare_newlines_are_accepted()
    {
        string text = SdpTestData.Read("chromium-answer.sdp").Replace("\r\n", "\n");
        Assert.True(SessionDescription.TryParse(text, out SessionDescription? sdp, out string? error), error);
        Assert.Equal(3, sdp!.Media.Count);
    }
}
