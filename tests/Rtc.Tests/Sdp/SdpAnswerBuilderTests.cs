using MobZ.Rtc.Ice;
using MobZ.Rtc.Rtp;
using MobZ.Rtc.Sdp;

namespace MobZ.Rtc.Tests.Sdp;

public class SdpAnswerBuilderTests
{
    private static readonly SdpFingerprint OurFingerprint = SdpFingerprint.Sha256(new byte[] { 1, 2, 3 });
    private static readonly IceCredentials OurIce = new("srvufrag", "serverpasswordserverpass");
    private static readonly IceCandidate OurCandidate = new()
    {
        Foundation = "1",
        Priority = 2130706431,
        Address = "127.0.0.1",
        Port = 40000,
    };

    private static SessionDescription Offer(string file)
    {
        Assert.True(
            SessionDescription.TryParse(SdpTestData.Read(file), out SessionDescription? offer, out string? error),
            error
        );
        return offer!;
    }

    private static SessionDescription Answer(SessionDescription offer, bool dataChannels = false)
    {
        var options = new SdpAnswerOptions
        {
            IceCredentials = OurIce,
            Fingerprint = OurFingerprint,
            Candidates = [OurCandidate],
            AcceptDataChannel = dataChannels,
        };
        Assert.True(
            SdpAnswerBuilder.TryCreate(offer, options, out SessionDescription? answer, out string? error),
            error
        );
        // Whatever we build must parse back.
        Assert.True(
            SessionDescription.TryParse(answer!.ToString(), out SessionDescription? reparsed, out error),
            error
        );
        return reparsed!;
    }

    [Fact]
    public void Simulcast_publisher_offer_is_answered_recvonly_with_recv_rids_and_bundle()
    {
        SessionDescription answer = Answer(Offer("chromium-simulcast-offer.sdp"));
        Assert.True(answer.IceLite);
        Assert.Equal(new[] { "0", "1" }, answer.BundleMids);
        MediaDescription video = answer.Media[1];
        Assert.Equal(SdpDirection.RecvOnly, video.Direction);
        Assert.Equal(new[] { "q", "h", "f" }, video.Rids.Select(r => r.Id));
        Assert.All(video.Rids, r => Assert.Equal(SdpRidDirection.Recv, r.Direction));
        Assert.Equal(new[] { "q", "h", "f" }, video.Simulcast!.RecvRids);
        Assert.Empty(video.Simulcast.SendRids);
        Assert.Equal(SdpSetupRole.Passive, video.Setup);
        Assert.Equal("srvufrag", video.IceUfrag);
        Assert.Equal(OurFingerprint, video.Fingerprint);
        Assert.Equal(OurCandidate.ToSdpValue(), Assert.Single(video.Candidates).ToSdpValue());
        Assert.True(video.EndOfCandidates);
        Assert.True(video.RtcpMux);
        Assert.True(video.RtcpReducedSize);
        Assert.Equal(10, video.FindHeaderExtension(RtpExtensionValues.RidUri)!.Id);
        Assert.Null(video.FindHeaderExtension("http://www.webrtc.org/experiments/rtp-hdrext/video-timing"));
        Assert.Empty(video.Ssrcs);
    }

    [Fact]
    public void Firefox_style_offer_is_answered_with_its_payload_types_and_mirrored_extmap_directions()
    {
        SessionDescription answer = Answer(Offer("firefox-style-simulcast-offer.sdp"));
        MediaDescription video = answer.Media[1];
        Assert.Equal(new[] { 120, 124, 126, 127 }, video.Codecs.Select(c => c.PayloadType));
        Assert.Equal(new[] { "q", "h", "f" }, video.Simulcast!.RecvRids);
        Assert.Null(video.FindHeaderExtension("http://www.webrtc.org/experiments/rtp-hdrext/playout-delay"));
        Assert.Equal(8, video.FindHeaderExtension(RtpExtensionValues.RidUri)!.Id);
        MediaDescription audio = answer.Media[0];
        Assert.Equal(109, audio.Codecs[0].PayloadType);
        Assert.Equal(SdpDirection.RecvOnly, audio.Direction);
    }

    [Fact]
    public void Extmap_direction_is_seen_from_the_other_side_in_the_answer()
    {
        var offered = new[]
        {
            new SdpHeaderExtension(1, RtpExtensionValues.AudioLevelUri, SdpDirection.SendOnly),
            new SdpHeaderExtension(2, RtpExtensionValues.MidUri, null, "attr"),
            new SdpHeaderExtension(3, "urn:unknown"),
        };
        List<SdpHeaderExtension> answered = HeaderExtensionNegotiation.Intersect(
            offered,
            [RtpExtensionValues.AudioLevelUri, RtpExtensionValues.MidUri]
        );
        Assert.Equal(
            new[]
            {
                new SdpHeaderExtension(1, RtpExtensionValues.AudioLevelUri, SdpDirection.RecvOnly),
                new SdpHeaderExtension(2, RtpExtensionValues.MidUri),
            },
            answered
        );
    }

    [Fact]
    public void Audio_section_answers_opus_only_with_offered_payload_type()
    {
        MediaDescription audio = Answer(Offer("chromium-simulcast-offer.sdp")).Media[0];
        SdpCodec opus = Assert.Single(audio.Codecs);
        Assert.Equal(111, opus.PayloadType);
        Assert.Equal("minptime=10;useinbandfec=1", opus.Fmtp);
        Assert.Equal(RtpExtensionValues.AudioLevelUri, audio.HeaderExtensions[0].Uri);
    }

    /// <summary>Found by the sdp fuzz harness (docs/fuzzing.md): the answer had "m=audio 9 UDS/R8P/SAVPF " with no
    /// format, which does not parse.</summary>
    [Fact]
    public void Audio_offered_over_a_protocol_that_is_not_rtp_is_rejected_with_its_format()
    {
        string text = SdpTestData
            .Read("chromium-offer-datachannel.sdp")
            .Replace("m=audio 9 UDP/TLS/RTP/SAVPF 111", "m=audio 9 UDS/R8P/SAVPF 111", StringComparison.Ordinal);
        Assert.True(SessionDescription.TryParse(text, out SessionDescription? offer, out string? error), error);

        SessionDescription answer = Answer(offer!);

        Assert.Equal(0, answer.Media[0].Port);
        Assert.Equal("UDS/R8P/SAVPF", answer.Media[0].Protocol);
        Assert.NotEmpty(answer.Media[0].Formats);
        Assert.Equal(9, answer.Media[1].Port);
    }

    [Fact]
    public void Data_channel_is_rejected_unless_accepted_and_then_uses_the_offer_style()
    {
        SessionDescription offer = Offer("chromium-offer-datachannel.sdp");
        SessionDescription rejected = Answer(offer);
        Assert.Equal(0, rejected.Media[2].Port);
        Assert.Equal(new[] { "0", "1" }, rejected.BundleMids);

        SessionDescription accepted = Answer(offer, dataChannels: true);
        MediaDescription data = accepted.Media[2];
        Assert.Equal(9, data.Port);
        Assert.Equal(5000, data.SctpPort);
        Assert.Equal(new[] { "webrtc-datachannel" }, data.Formats);
        Assert.Equal(new[] { "0", "1", "2" }, accepted.BundleMids);

        MediaDescription legacy = Answer(Offer("aiortc-offer.sdp"), dataChannels: true).Media[2];
        Assert.Equal("5000 webrtc-datachannel 65535", legacy.SctpMap);
        Assert.Null(legacy.SctpPort);
    }

    [Fact]
    public void Recvonly_viewer_offer_gets_inactive_by_default_and_sendonly_when_chosen()
    {
        SessionDescription offer = Offer("chromium-recvonly-offer.sdp");
        Assert.All(Answer(offer).Media, m => Assert.Equal(SdpDirection.Inactive, m.Direction));

        var options = new SdpAnswerOptions
        {
            IceCredentials = OurIce,
            Fingerprint = OurFingerprint,
            ChooseDirection = m => m.EffectiveDirection.Reverse(),
            Customize = (_, m) => m.Ssrcs.Add(new SdpSsrc(1234, "cname", "munit")),
        };
        Assert.True(SdpAnswerBuilder.TryCreate(offer, options, out SessionDescription? answer, out _));
        Assert.All(answer!.Media, m => Assert.Equal(SdpDirection.SendOnly, m.Direction));
        Assert.All(answer.Media, m => Assert.Equal(1234u, Assert.Single(m.SsrcIds)));
    }

    [Fact]
    public void Section_with_no_common_codec_is_rejected_with_port_0_and_left_out_of_bundle()
    {
        SessionDescription offer = Offer("chromium-simulcast-offer.sdp");
        offer.Media[1].Codecs.RemoveAll(c => c.Name is "VP8" or "H264" || c.IsRtx);
        SessionDescription answer = Answer(offer);
        Assert.Equal(0, answer.Media[1].Port);
        Assert.Equal("1", answer.Media[1].Mid);
        Assert.Single(answer.Media[1].Codecs);
        Assert.Equal(new[] { "0" }, answer.BundleMids);
    }

    [Theory]
    [InlineData(SdpSetupRole.ActPass, SdpSetupRole.Passive)]
    [InlineData(SdpSetupRole.Active, SdpSetupRole.Passive)]
    [InlineData(SdpSetupRole.Passive, SdpSetupRole.Active)]
    public void Dtls_role_complements_the_offer(SdpSetupRole offered, SdpSetupRole expected)
    {
        SessionDescription offer = Offer("chromium-simulcast-offer.sdp");
        offer.Media.ForEach(m => m.Setup = offered);
        Assert.All(Answer(offer).Media, m => Assert.Equal(expected, m.Setup));
    }

    [Fact]
    public void Offer_without_ice_credentials_or_fingerprint_is_refused_with_a_reason()
    {
        SessionDescription offer = Offer("chromium-simulcast-offer.sdp");
        offer.Media[0].IcePwd = null;
        var options = new SdpAnswerOptions { IceCredentials = OurIce, Fingerprint = OurFingerprint };
        Assert.False(SdpAnswerBuilder.TryCreate(offer, options, out _, out string? error));
        Assert.Contains("ice-pwd", error);

        offer = Offer("chromium-simulcast-offer.sdp");
        offer.Media[1].Fingerprint = null;
        Assert.False(SdpAnswerBuilder.TryCreate(offer, options, out _, out error));
        Assert.Contains("fingerprint", error);
    }

    [Fact]
    public void Simulcast_layers_above_the_limit_are_not_accepted()
    {
        MediaDescription video = Offer("chromium-simulcast-offer.sdp").Media[1];
        (List<SdpRid> rids, SdpSimulcast? simulcast) = SimulcastNegotiation.AnswerReceive(video, maxLayers: 2);
        Assert.Equal(new[] { "q", "h" }, rids.Select(r => r.Id));
        Assert.Equal("recv q;h", simulcast!.ToString());
    }

    [Fact]
    public void Simulcast_rid_without_an_a_rid_line_is_dropped_and_paused_is_kept()
    {
        var media = new MediaDescription
        {
            Kind = "video",
            Rids = [new SdpRid("a", SdpRidDirection.Send), new SdpRid("b", SdpRidDirection.Send)],
            Simulcast = SdpSimulcast.TryParse("send a;~b;c", out _),
        };
        (List<SdpRid> rids, SdpSimulcast? simulcast) = SimulcastNegotiation.AnswerReceive(media);
        Assert.Equal(new[] { "a", "b" }, rids.Select(r => r.Id));
        Assert.Equal("recv a;~b", simulcast!.ToString());
    }
}
