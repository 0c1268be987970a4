const { chromium } = require('playwright-core');
const fs = require('fs');
(async () => {
  const out = process.argv[2];
  const aiortcOffer = fs.existsSync(out + '/aiortc-offer.sdp') ? fs.readFileSync(out + '/aiortc-offer.sdp', 'utf8') : null;
  const userDataDir = fs.mkdtempSync('/tmp/chromium-profile-');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });
  const http = require('http');
  const server = http.createServer((req, res) => { res.writeHead(200, {'content-type': 'text/html'}); res.end('<html><body>capture</body></html>'); });
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  const page = await context.newPage();
  await page.goto('http://127.0.0.1:' + server.address().port + '/');
  const result = await page.evaluate(async (aiortcOffer) => {
    const out = {};
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 1280, height: 720 } });
    const [audio] = stream.getAudioTracks();
    const [video] = stream.getVideoTracks();
    // 1: publisher with simulcast (what the m2m client sends to the Munit)
    let pc = new RTCPeerConnection();
    pc.addTransceiver(audio, { direction: 'sendonly', streams: [stream] });
    pc.addTransceiver(video, { direction: 'sendonly', streams: [stream],
      sendEncodings: [{ rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150000 }, { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500000 }, { rid: 'f', maxBitrate: 1500000 }] });
    let offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    await new Promise(r => { if (pc.iceGatheringState === 'complete') r(); pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') r(); }; setTimeout(r, 3000); });
    out.simulcast = pc.localDescription.sdp;
    pc.close();
    // 2: plain sendrecv audio+video+data channel, not yet gathered (no candidates)
    pc = new RTCPeerConnection();
    pc.addTrack(audio, stream); pc.addTrack(video, stream);
    pc.createDataChannel('chat');
    out.plain = (await pc.createOffer()).sdp;
    const answerer = new RTCPeerConnection();
    await answerer.setRemoteDescription({ type: 'offer', sdp: out.plain });
    for (const t of answerer.getTransceivers()) { t.direction = 'recvonly'; }
    out.answer = (await answerer.createAnswer()).sdp;
    answerer.close();
    pc.close();
    // 3: viewer: recvonly offer
    pc = new RTCPeerConnection();
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    out.recvonly = (await pc.createOffer()).sdp;
    pc.close();
    // 4: answer to aiortc's offer
    if (aiortcOffer) try {
      pc = new RTCPeerConnection();
      await pc.setRemoteDescription({ type: 'offer', sdp: aiortcOffer });
      for (const t of pc.getTransceivers()) {
        if (t.receiver.track.kind === 'audio') { await t.sender.replaceTrack(audio); t.direction = 'sendrecv'; }
        if (t.receiver.track.kind === 'video') { await t.sender.replaceTrack(video); t.direction = 'sendrecv'; }
      }
      out.answerToAiortc = (await pc.createAnswer()).sdp;
      pc.close();
    } catch (e) { out.aiortcError = String(e); }
    out.ua = navigator.userAgent;
    return out;
  }, aiortcOffer);
  fs.writeFileSync(out + '/chromium-simulcast-offer.sdp', result.simulcast);
  fs.writeFileSync(out + '/chromium-offer-datachannel.sdp', result.plain);
  fs.writeFileSync(out + '/chromium-recvonly-offer.sdp', result.recvonly);
  fs.writeFileSync(out + '/chromium-answer.sdp', result.answer);
  if (result.answerToAiortc) fs.writeFileSync(out + '/chromium-answer-to-aiortc.sdp', result.answerToAiortc);
  console.log(result.ua); console.log(result.aiortcError || 'aiortc offer accepted');
  await context.close();
  server.close();
})().catch(e => { console.error(e); process.exit(1); });
