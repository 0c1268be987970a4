namespace MobZ.Munit.Tests.Interop;

/// <summary>The publisher and viewer pages Chromium runs against the Munit.</summary>
internal static class ChromiumPages
{
    public const string Html = """
        <!doctype html>
        <html><body><script>
        window.publish = async () => {
          // Three layers need about 960x540 of input in libwebrtc; capture 1280x720.
          const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720, frameRate: 30 }, audio: true });
          window.pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
          pc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly', sendEncodings: [
            { rid: 'q', scaleResolutionDownBy: 4 }, { rid: 'h', scaleResolutionDownBy: 2 }, { rid: 'f', scaleResolutionDownBy: 1 } ] });
          pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendonly' });
          await pc.setLocalDescription(await pc.createOffer());
          return pc.localDescription.sdp;
        };
        window.watch = async (sdp) => {
          window.pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
          await pc.setRemoteDescription({ type: 'offer', sdp });
          await pc.setLocalDescription(await pc.createAnswer());
          return pc.localDescription.sdp;
        };
        // A viewer whose answer drops goog-remb and transport-cc: the layer it gets then follows its requests and what
        // the publisher sends only, never a bandwidth estimate (whose growth is the congestion-control tests' subject).
        // Chromium still sends REMB from its receive-side estimate; the Munit, which reads the answer, does not take it
        // as one.
        window.watchWithoutRemb = (sdp) => watch(sdp.split('\r\n').filter(l =>
          !/^a=rtcp-fb:\S+ (goog-remb|transport-cc)/.test(l) && !/^a=extmap:\S+ .*transport-wide-cc/.test(l)).join('\r\n'));
        window.answer = async (sdp) => { await pc.setRemoteDescription({ type: 'answer', sdp }); };
        window.state = () => pc.connectionState;
        // The widest simulcast layer the encoder produced frames for since the previous call (0 on the first).
        window.encoded = {};
        window.widestSending = async () => {
          const stats = await pc.getStats();
          let widest = 0;
          stats.forEach(s => {
            if (s.type === 'outbound-rtp' && s.kind === 'video') {
              const before = encoded[s.id] || 0;
              encoded[s.id] = s.framesEncoded || 0;
              if (before > 0 && encoded[s.id] > before) widest = Math.max(widest, s.frameWidth || 0);
            }
          });
          return widest;
        };
        // The publisher's own view of its uplink: the send-side estimate (availableOutgoingBitrate of the selected
        // candidate pair) and every outbound RTP byte so far (media, retransmissions and padding alike).
        window.sending = async () => {
          const stats = await pc.getStats();
          let r = { availableOutgoingBitrate: 0, bytesSent: 0, timestamp: 0 };
          stats.forEach(s => {
            if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
              r.availableOutgoingBitrate = s.availableOutgoingBitrate || 0;
              r.timestamp = s.timestamp;
            }
            if (s.type === 'outbound-rtp') r.bytesSent += (s.bytesSent || 0) + (s.headerBytesSent || 0);
          });
          return r;
        };
        window.video = async () => {
          const stats = await pc.getStats();
          let r = { framesDecoded: 0, frameWidth: 0, packetsReceived: 0, freezeCount: 0, totalFreezesDuration: 0 };
          stats.forEach(s => {
            if (s.type === 'inbound-rtp' && s.kind === 'video') {
              r.framesDecoded += s.framesDecoded || 0;
              r.frameWidth = s.frameWidth || r.frameWidth;
              r.packetsReceived += s.packetsReceived || 0;
              r.freezeCount += s.freezeCount || 0;
              r.totalFreezesDuration += s.totalFreezesDuration || 0;
            }
          });
          return r;
        };
        </script></body></html>
        """;
}

/// <summary>What the pages' <c>sending()</c> returns: the publisher's estimate (bit/s) and bytes sent so far.</summary>
internal sealed class SendingStats
{
    public double AvailableOutgoingBitrate { get; set; }
    public double BytesSent { get; set; }
    public double Timestamp { get; set; }
}

/// <summary>What the pages' <c>video()</c> returns: the viewer's inbound video, summed over its streams.</summary>
internal sealed class VideoStats
{
    public int FramesDecoded { get; set; }
    public int FrameWidth { get; set; }
    public int PacketsReceived { get; set; }

    /// <summary>Chromium's count of video freezes (a frame shown much later than the frames before it) and their
    /// total duration in seconds.</summary>
    public int FreezeCount { get; set; }
    public double TotalFreezesDuration { get; set; }
}
