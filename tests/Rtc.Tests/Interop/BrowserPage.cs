namespace MobZ.Rtc.Tests.Interop;

/// <summary>The page Chromium runs: an RTCPeerConnection with the fake camera/microphone, driven step by
/// step.</summary>
internal static class BrowserPage
{
    public const string Html = """
        <!doctype html>
        <html><body><script>
        window.start = async (simulcast) => {
          // libwebrtc caps the simulcast layer count by input size (3 layers need about 960x540),
          // so the simulcast case captures 1280x720.
          const stream = await navigator.mediaDevices.getUserMedia({
            video: simulcast ? { width: 1280, height: 720, frameRate: 30 } : { width: 640, height: 480, frameRate: 30 },
            audio: !simulcast });
          window.pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
          pc.onconnectionstatechange = () => console.log('connectionState ' + pc.connectionState);
          const video = stream.getVideoTracks()[0];
          if (simulcast) {
            pc.addTransceiver(video, { direction: 'sendonly', sendEncodings: [
              { rid: 'q', scaleResolutionDownBy: 4 },
              { rid: 'h', scaleResolutionDownBy: 2 },
              { rid: 'f', scaleResolutionDownBy: 1 } ] });
          } else {
            pc.addTransceiver(video, { direction: 'sendrecv' });
            pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendrecv' });
          }
          const offer = await pc.createOffer();
          await pc.setLocalDescription(offer);
          return pc.localDescription.sdp;
        };
        window.answer = async (sdp) => { await pc.setRemoteDescription({ type: 'answer', sdp }); };
        window.connectionState = () => pc.connectionState;
        window.inbound = async (kind) => {
          const stats = await pc.getStats();
          let result = { packetsReceived: 0, framesDecoded: 0 };
          stats.forEach(s => {
            if (s.type === 'inbound-rtp' && s.kind === kind) {
              result.packetsReceived += s.packetsReceived || 0;
              result.framesDecoded += s.framesDecoded || 0;
            }
          });
          return result;
        };
        window.close = () => pc.close();
        </script></body></html>
        """;
}
