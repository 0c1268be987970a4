using MobZ.Rtc.Ice;
using MobZ.Rtc.Sdp;

namespace MobZ.Rtc.Tests.Sdp;

public class SdpOfferBuilderTests
{
    internal static SdpOfferOptions ViewerOffer(IceCredentials? ice = null, SdpFingerprint? fingerprint = null) =>
        new()
        {
            IceCredentials = ice ?? new IceCredentials("srvufrag", "serverpasswordserverpass"),
            Fingerprint = fingerprint ?? SdpFingerprint.Sha256(new byte[] { 9, 9, 9 }),
            Candidates =
            [
                new IceCandidate
                {
                    Foundation = "1",
                    Priority = 2130706431,
                    Address = "127.0.0.1",
                    Port = 40000,
                },
            ],
            Media =
            [
                new SdpMediaOffer
                {
                    Kind = "audio",
                    Mid = "0",
                    Codecs = WebRtcCapabilities.AudioCodecs,
                    HeaderExtensions = WebRtcCapabilities.AudioHeaderExtensions,
                    Ssrc = 1111,
                    Cname = "munit",
                    StreamId = "publisher-1",
                    TrackId = "audio-1",
                },
                new SdpMediaOffer
                {
                    Kind = "video",
                    Mid = "1",
                    Codecs = WebRtcCapabilities.VideoCodecs,
                    HeaderExtensions = WebRtcCapabilities.VideoHeaderExtensions,
                    Ssrc = 2222,
                    RtxSsrc = 3333,
                    Cname = "munit",
                    StreamId = "publisher-1",
                    TrackId = "video-1",
                },
            ],
            DataChannelMid = "2",
        };

    [Fact]
    public void Server_offer_bundles_every_section_with_ice_lite_and_actpass()
    {
        SessionDescription offer = SdpOfferBuilder.Create(ViewerOffer());
        Assert.True(
            SessionDescription.TryParse(offer.ToString(), out SessionDescription? parsed, out string? error),
            error
        );
        Assert.True(parsed!.IceLite);
        Assert.Equal(new[] { "0", "1", "2" }, parsed.BundleMids);
        Assert.All(parsed.Media, m => Assert.Equal(SdpSetupRole.ActPass, m.Setup));
        Assert.All(parsed.Media, m => Assert.Equal("srvufrag", m.IceUfrag));
        MediaDescription video = parsed.Media[1];
        Assert.Equal(SdpDirection.SendOnly, video.Direction);
        Assert.Equal((2222u, 3333u), video.RtxPairs.Single());
        Assert.Equal("munit", video.GetSsrcAttribute(3333, "cname"));
        Assert.Equal("publisher-1 video-1", video.GetSsrcAttribute(2222, "msid"));
        Assert.Equal(new SdpMsid("publisher-1", "video-1"), video.Msids.Single());
        Assert.True(parsed.Media[2].IsDataChannel);
        Assert.Null(HeaderExtensionNegotiation.FindBundleConflict(parsed.Media));
    }

    [Fact]
    public void Colliding_extension_ids_inside_the_bundle_are_refused()
    {
        SdpOfferOptions options = ViewerOffer();
        var broken = new SdpOfferOptions
        {
            IceCredentials = options.IceCredentials,
            Fingerprint = options.Fingerprint,
            Media =
            [
                options.Media[0],
                new SdpMediaOffer
                {
                    Kind = "video",
                    Mid = "1",
                    Codecs = WebRtcCapabilities.VideoCodecs,
                    HeaderExtensions = [new SdpHeaderExtension(1, MobZ.Rtc.Rtp.RtpExtensionValues.AbsSendTimeUri)],
                },
            ],
        };
        ArgumentException e = Assert.Throws<ArgumentException>(() => SdpOfferBuilder.Create(broken));
        Assert.Contains("extmap id 1", e.Message);
    }

    [Fact]
    public void Aiortcs_offer_shows_the_bundle_extension_conflict_chromium_rejects()
    {
        Assert.True(
            SessionDescription.TryParse(SdpTestData.Read("aiortc-offer.sdp"), out SessionDescription? offer, out _)
        );
        Assert.Contains("extmap id 2", HeaderExtensionNegotiation.FindBundleConflict(offer!.Media));
    }

    [Fact]
    public void Fingerprint_of_a_certificate_is_colon_separated_upper_hex_sha256()
    {
        SdpFingerprint fingerprint = SdpFingerprint.Sha256("abc"u8);
        Assert.Equal("sha-256", fingerprint.Algorithm);
        Assert.Equal(
            "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD",
            fingerprint.Value
        );
    }
}
