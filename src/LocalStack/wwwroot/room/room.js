// MobZ group chat demo: the browser side of the room protocol (docs/protocol.md).
// A publisher sends its camera to its station on a Munit; every participant watches the other publishers'
// stations, one RTCPeerConnection per station, and may pick a simulcast layer for each.
// window.mobz exposes the state so the interop tests drive exactly what a person uses.

const SIMULCAST_LAYERS = [
  { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'h', maxBitrate: 1_500_000 },
];

const $ = (id) => document.getElementById(id);
const state = {
  ws: null,
  joinAck: null,
  participantId: null,
  ownerId: null,
  stationId: null,
  publishers: [],
  received: [],
  errors: [],
  publishPc: null,
  localStream: null,
  watching: new Map(), // stationId -> { pc, video, publisherId, layer, ended }
  heartbeat: null,
  options: null,
};

function status(text) { $('status').textContent = text; }

function send(message) {
  if (state.ws?.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(message));
}

function wsUrl() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws`;
}

async function join(options) {
  state.options = options;
  const ws = new WebSocket(wsUrl());
  state.ws = ws;
  ws.onmessage = (e) => onMessage(JSON.parse(e.data));
  ws.onclose = () => { status('disconnected'); clearInterval(state.heartbeat); };
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  send({ action: 'Join', requestId: 'join', roomId: options.room, roomKind: options.kind, role: options.role, audio: true, video: true });
  status(`joining ${options.room}…`);
}

function leave() {
  send({ action: 'Leave' });
  for (const stationId of [...state.watching.keys()]) stopWatching(stationId);
  state.publishPc?.close();
  state.publishPc = null;
  state.localStream?.getTracks().forEach((t) => t.stop());
  state.ws?.close();
}

async function onMessage(m) {
  state.received.push(m.action);
  switch (m.action) {
    case 'JoinAck': return onJoinAck(m);
    case 'Answer': return onAnswer(m);
    case 'WatchAck': return answerStation(m.stationId, m.publisherId, m.sdp);
    case 'IceCandidate': return onRemoteCandidate(m);
    case 'PublishListChangeAck': return onPublisherList(m.publishers, m.ownerId);
    case 'PublishRequest': return onPublishRequest(m);
    case 'PublishAccept': state.stationId = m.stationId; return publish();
    case 'PublishReject': return status(`the owner declined: ${m.reason ?? ''}`);
    case 'Kicked': status('you were removed from the room'); return leave();
    case 'SimulcastUpdateAck': return;
    case 'HeartbeatAck': state.participantId = m.participantId; return;
    case 'Error':
      state.errors.push(m);
      return status(`error ${m.code}: ${m.message}`);
    default: return;
  }
}

async function onJoinAck(m) {
  state.joinAck = m;
  state.participantId = m.participantId;
  state.ownerId = m.ownerId;
  state.stationId = m.stationId ?? null;
  status(`in room ${m.roomId} as ${m.participantType}${m.participantId === m.ownerId ? ' (owner)' : ''}`);
  $('leave').disabled = false;
  $('request').hidden = m.participantType === 'publisher';
  $('request').disabled = m.participantType === 'publisher';
  state.heartbeat = setInterval(() => send({ action: 'Heartbeat' }), m.heartbeatIntervalMs || 10000);
  if (m.participantType === 'publisher') await publish();
  if (m.playbackUrl) {
    // p2m viewers watch the LL-HLS stream instead of WebRTC.
    location.href = `/hls/?stream=${encodeURIComponent(m.playbackUrl)}`;
    return;
  }
  await onPublisherList(m.publishers, m.ownerId);
}

async function publish() {
  $('self').hidden = false;
  // A p2m room becomes one LL-HLS rendition: one layer, and H.264 because that is what HLS players decode.
  const liveStream = state.options.kind === 'p2m';
  const simulcast = state.options.simulcast && !liveStream;
  state.localStream = await navigator.mediaDevices.getUserMedia({
    audio: true,
    video: { width: 960, height: 540, frameRate: 15 },
  });
  $('local').srcObject = state.localStream;
  const pc = new RTCPeerConnection({ iceServers: state.joinAck?.iceServers ?? [] });
  state.publishPc = pc;
  const [audio] = state.localStream.getAudioTracks();
  const [video] = state.localStream.getVideoTracks();
  pc.addTransceiver(audio, { direction: 'sendonly', streams: [state.localStream] });
  const videoTransceiver = pc.addTransceiver(video, {
    direction: 'sendonly',
    streams: [state.localStream],
    sendEncodings: simulcast ? SIMULCAST_LAYERS : undefined,
  });
  if (liveStream) preferH264(videoTransceiver);
  pc.onicecandidate = (e) => {
    if (e.candidate) send({ action: 'IceCandidate', stationId: state.stationId, candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex });
  };
  pc.onconnectionstatechange = () => status(`publishing: ${pc.connectionState}`);
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  send({ action: 'Offer', requestId: 'publish', stationId: state.stationId, sdp: offer.sdp });
}

function preferH264(transceiver) {
  const codecs = RTCRtpSender.getCapabilities('video')?.codecs ?? [];
  const isH264 = (c) => c.mimeType === 'video/H264' && /packetization-mode=1/.test(c.sdpFmtpLine ?? '');
  const ordered = [...codecs.filter(isH264), ...codecs.filter((c) => !isH264(c))];
  if (ordered.length) transceiver.setCodecPreferences(ordered);
}

async function onAnswer(m) {
  if (state.publishPc && (!m.stationId || m.stationId === state.stationId)) {
    await state.publishPc.setRemoteDescription({ type: 'answer', sdp: m.sdp });
  }
}

async function onRemoteCandidate(m) {
  const pc = m.stationId && state.watching.has(m.stationId) ? state.watching.get(m.stationId).pc : state.publishPc;
  if (pc && m.candidate) await pc.addIceCandidate({ candidate: m.candidate, sdpMid: m.sdpMid, sdpMLineIndex: m.sdpMLineIndex }).catch(() => {});
}

async function onPublisherList(publishers, ownerId) {
  state.publishers = publishers ?? [];
  if (ownerId) state.ownerId = ownerId;
  const present = new Set();
  for (const p of state.publishers) {
    if (!p.stationId || p.participantId === state.participantId) continue;
    present.add(p.stationId);
    if (state.watching.has(p.stationId)) continue;
    state.watching.set(p.stationId, { pc: null, video: null, publisherId: p.participantId, layer: null, ended: false });
    if (p.offerSdp) await answerStation(p.stationId, p.participantId, p.offerSdp);
    else send({ action: 'Watch', requestId: `watch-${p.stationId}`, stationId: p.stationId });
  }
  for (const stationId of [...state.watching.keys()]) if (!present.has(stationId)) stopWatching(stationId);
}

async function answerStation(stationId, publisherId, sdp) {
  let entry = state.watching.get(stationId);
  if (!entry) {
    entry = { pc: null, video: null, publisherId, layer: null, ended: false };
    state.watching.set(stationId, entry);
  }
  if (entry.pc) return;
  const pc = new RTCPeerConnection({ iceServers: state.joinAck?.iceServers ?? [] });
  entry.pc = pc;
  const tile = remoteTile(stationId, publisherId);
  entry.video = tile.querySelector('video');
  const stream = new MediaStream();
  entry.video.srcObject = stream;
  pc.ontrack = (e) => stream.addTrack(e.track);
  pc.onicecandidate = (e) => {
    if (e.candidate) send({ action: 'IceCandidate', stationId, candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex });
  };
  pc.onconnectionstatechange = () => { tile.querySelector('.state').textContent = pc.connectionState; };
  await pc.setRemoteDescription({ type: 'offer', sdp });
  const answer = await pc.createAnswer();
  await pc.setLocalDescription(answer);
  send({ action: 'Answer', requestId: `answer-${stationId}`, stationId, sdp: answer.sdp });
}

function stopWatching(stationId) {
  const entry = state.watching.get(stationId);
  if (!entry) return;
  entry.ended = true;
  entry.pc?.getReceivers().forEach((r) => r.track?.stop());
  entry.pc?.close();
  document.querySelector(`[data-station="${CSS.escape(stationId)}"]`)?.remove();
  state.watching.delete(stationId);
}

function remoteTile(stationId, publisherId) {
  const tile = document.createElement('div');
  tile.className = 'remote';
  tile.dataset.station = stationId;
  tile.innerHTML = `<video autoplay playsinline muted></video>
    <div class="meta">publisher <b></b> · <span class="state">new</span> · <span class="size"></span></div>
    <label>layer <select><option value="h">high</option><option value="m">medium</option><option value="l">low</option></select></label>`;
  tile.querySelector('b').textContent = publisherId;
  tile.querySelector('select').onchange = (e) => selectLayer(stationId, e.target.value);
  $('remotes').append(tile);
  return tile;
}

function selectLayer(stationId, layer) {
  const entry = state.watching.get(stationId);
  if (entry) entry.layer = layer;
  send({ action: 'SimulcastUpdate', requestId: `layer-${stationId}`, stationId, layer });
}

function onPublishRequest(m) {
  $('requests').hidden = false;
  const li = document.createElement('li');
  li.textContent = `${m.userId ?? m.participantId} asks to publish `;
  for (const [label, action] of [['accept', 'PublishAccept'], ['reject', 'PublishReject']]) {
    const b = document.createElement('button');
    b.textContent = label;
    b.onclick = () => { send({ action, participantId: m.participantId }); li.remove(); };
    li.append(b);
  }
  $('request-list').append(li);
}

/** Decoded-video facts per watched station, read from getStats (used by the page and by tests). */
async function videoStats() {
  const result = {};
  for (const [stationId, entry] of state.watching) {
    const out = { publisherId: entry.publisherId, framesDecoded: 0, frameWidth: 0, frameHeight: 0, connectionState: entry.pc?.connectionState ?? 'new', trackStates: [] };
    if (entry.pc) {
      out.trackStates = entry.pc.getReceivers().map((r) => r.track?.readyState ?? 'none');
      const stats = await entry.pc.getStats();
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') {
          out.framesDecoded += s.framesDecoded ?? 0;
          out.frameWidth = s.frameWidth ?? out.frameWidth;
          out.frameHeight = s.frameHeight ?? out.frameHeight;
        }
      });
    }
    const tile = document.querySelector(`[data-station="${CSS.escape(stationId)}"] .size`);
    if (tile) tile.textContent = out.frameWidth ? `${out.frameWidth}×${out.frameHeight}` : '';
    result[stationId] = out;
  }
  return result;
}

setInterval(videoStats, 1000);

window.mobz = { state, join, leave, selectLayer, videoStats, send };

$('join').onsubmit = (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  join({ room: f.get('room'), kind: f.get('kind'), role: f.get('role'), simulcast: f.get('simulcast') === 'on' });
};
$('leave').onclick = leave;
$('request').onclick = () => send({ action: 'PublishRequest', requestId: 'publish-request' });
$('mic').onchange = (e) => { state.localStream?.getAudioTracks().forEach((t) => { t.enabled = e.target.checked; }); send({ action: 'UpdateVideo', audio: e.target.checked, video: $('cam').checked }); };
$('cam').onchange = (e) => { state.localStream?.getVideoTracks().forEach((t) => { t.enabled = e.target.checked; }); send({ action: 'UpdateVideo', audio: $('mic').checked, video: e.target.checked }); };

// ?room=…&kind=m2m&role=publisher&simulcast=1&autojoin=1 joins without clicking (links, tests).
const q = new URLSearchParams(location.search);
if (q.get('room')) document.querySelector('[name=room]').value = q.get('room');
if (q.get('kind')) document.querySelector('[name=kind]').value = q.get('kind');
if (q.get('role')) document.querySelector('[name=role]').value = q.get('role');
if (q.has('simulcast')) document.querySelector('[name=simulcast]').checked = q.get('simulcast') !== '0';
if (q.get('autojoin') === '1') {
  join({ room: q.get('room') ?? 'demo', kind: q.get('kind') ?? 'm2m', role: q.get('role') ?? 'publisher', simulcast: q.get('simulcast') !== '0' });
}
