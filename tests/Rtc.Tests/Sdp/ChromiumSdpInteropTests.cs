using Microsoft.Playwright;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Rtp;
using MobZ.Rtc.Sdp;
using MobZ.TestKit.Browser;
using Xunit.Abstractions;

namespace MobZ.Rtc.Tests.Sdp;

/// <summary>Real Chromium accepts the SDP we build (setRemoteDescription is Chromium's own validator).</summary>
[Trait("Category", "Interop")]
public class ChromiumSdpInteropTests(ITestOutputHelper output)
{
    private const string Page = """
        <html><body><script>
        window.publisherOffer = async () => {
          const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 1280, height: 720 } });
          window.pc = new RTCPeerConnection();
          pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendonly', streams: [stream] });
          pc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly', streams: [stream],
            sendEncodings: [{ rid: 'q', scaleResolutionDownBy: 4 }, { rid: 'h', scaleResolutionDownBy: 2 }, { rid: 'f' }] });
          const offer = await pc.createOffer();
          await pc.setLocalDescription(offer);
          return offer.sdp;
        };
        window.acceptAnswer = async (sdp) => {
          await pc.setRemoteDescription({ type: 'answer', sdp });
          const video = pc.getTransceivers()[1];
          return JSON.stringify({
            rids: video.sender.getParameters().encodings.map(e => e.rid),
            codec: video.sender.getParameters().codecs.map(c => c.mimeType)[0],
            direction: video.currentDirection,
          });
        };
        window.answerOffer = async (sdp) => {
          const viewer = new RTCPeerConnection();
          viewer.createDataChannel('x');
          await viewer.setRemoteDescription({ type: 'offer', sdp });
          const answer = await viewer.createAnswer();
          await viewer.setLocalDescription(answer);
          return answer.sdp;
        };
        </script></body></html>
        """;

    [Fact]
    public async Task Chromium_accepts_our_answer_to_its_simulcast_offer_and_our_viewer_offer()
    {
        await using Chromium chromium = await Chromium.LaunchAsync(new ChromiumOptions { Log = output.WriteLine });
        IPage page = await chromium.NewPageWithContentAsync(Page);

        string offerText = await page.EvaluateAsync<string>("publisherOffer()");
        Assert.True(SessionDescription.TryParse(offerText, out SessionDescription? offer, out string? error), error);
        var answerOptions = new SdpAnswerOptions
        {
            IceCredentials = IceCredentials.Generate(),
            Fingerprint = SdpFingerprint.Sha256(new byte[] { 1, 2, 3, 4 }),
            Candidates = HostCandidateBuilder.Build([new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 40000)]),
        };
        Assert.True(
            SdpAnswerBuilder.TryCreate(offer!, answerOptions, out SessionDescription? answer, out error),
            error
        );
        string accepted = await page.EvaluateAsync<string>("acceptAnswer", answer!.ToString());
        output.WriteLine(accepted);
        Assert.Contains("\"rids\":[\"q\",\"h\",\"f\"]", accepted);
        Assert.Contains("\"direction\":\"sendonly\"", accepted);
        Assert.Contains("video/VP8", accepted);

        SessionDescription viewerOffer = SdpOfferBuilder.Create(
            SdpOfferBuilderTests.ViewerOffer(IceCredentials.Generate())
        );
        string viewerAnswerText = await page.EvaluateAsync<string>("answerOffer", viewerOffer.ToString());
        Assert.True(
            SessionDescription.TryParse(viewerAnswerText, out SessionDescription? viewerAnswer, out error),
            error
        );
        Assert.Equal(new[] { "0", "1", "2" }, viewerAnswer!.BundleMids);
        Assert.Equal(SdpDirection.RecvOnly, viewerAnswer.Media[0].Direction);
        Assert.Equal(SdpDirection.RecvOnly, viewerAnswer.Media[1].Direction);
        Assert.Equal(SdpSetupRole.Active, viewerAnswer.Media[1].Setup);
        Assert.Equal(96, viewerAnswer.Media[1].Codecs[0].PayloadType);
        Assert.Equal(4, viewerAnswer.Media[1].FindHeaderExtension(RtpExtensionValues.MidUri)!.Id);
        Assert.Equal(5000, viewerAnswer.Media[2].SctpPort);
    }
}
