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
  watching: new Map(), // stationId -> { publisherId, tile, video, stream, pc, layer, ended, requested, retries }
  viewerPcs: new Map(), // Munit ICE ufrag -> { pc, queue }
  heartbeat: null,
  options: null,
};

function status(text) { $('status').textContent = text; }

// The TURN server (if the deployment has one) arrives in JoinAck with credentials for this client. ?relay=1 sends
// all media through it, as a network that blocks UDP to the media servers would force.
function peerConfig() {
  return { iceServers: state.joinAck?.iceServers ?? [], iceTransportPolicy: state.options?.relay ? 'relay' : 'all' };
}

function send(message) {
  if (state.ws?.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(message));
}

// Nobody opens the rooms socket without an access token (docs/securing-rooms.md): the page's ?token=, or on the local
// stack a development token for this room from /dev/token (which answers 404 once a real key is configured).
async function accessToken(options) {
  const given = options.token ?? new URLSearchParams(location.search).get('token');
  if (given) return given;
  const query = new URLSearchParams({ room: options.room });
  if (options.grants) query.set('grants', options.grants);
  const r = await fetch(`/dev/token?${query}`, { cache: 'no-store' });
  if (!r.ok) throw new Error('no access token: open this page with ?token=<access token>');
  return (await r.json()).token;
}

function wsUrl(token) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws?access_token=${encodeURIComponent(token)}`;
}

async function join(options) {
  state.options = options;
  let token;
  try {
    token = await accessToken(options);
  } catch (e) {
    status(e.message);
    throw e;
  }
  const ws = new WebSocket(wsUrl(token));
  state.ws = ws;
  ws.onmessage = (e) => onMessage(JSON.parse(e.data));
  ws.onclose = () => { if (!state.kicked) status('disconnected'); clearInterval(state.heartbeat); };
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => { status('the server refused the connection (is the access token valid for this room?)'); reject(new Error('refused')); };
  });
  send({ action: 'Join', requestId: 'join', roomId: options.room, roomKind: options.kind, role: options.role, audio: true, video: true });
  status(`joining ${options.room}…`);
}

function leave() {
  send({ action: 'Leave' });
  for (const stationId of [...state.watching.keys()]) stopWatching(stationId);
  for (const { pc } of state.viewerPcs.values()) pc.close();
  state.viewerPcs.clear();
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
    case 'PublishListChangeAck':
      // A change announced while our Join was in flight can overtake the JoinAck; apply it after the JoinAck.
      if (!state.joinAck) { state.earlyList = m; return; }
      if (m.reason === 'mediaLost') onOthersMediaLost(m.publishers);
      return onPublisherList(m.publishers, m.ownerId);
    case 'StationMoved': return onStationMoved(m);
    case 'MediaLost': return onMediaLost(m);
    case 'PublishRequest': return onPublishRequest(m);
    case 'PublishAccept': state.stationId = m.stationId; return publish();
    case 'PublishReject': return status(`the owner declined: ${m.reason ?? ''}`);
    case 'Kicked': state.kicked = true; status(m.reason === 'roomClosed' ? 'the room was closed' : 'you were removed from the room'); return leave();
    case 'SimulcastUpdateAck': return;
    case 'HeartbeatAck': state.participantId = m.participantId; return;
    case 'Error':
      state.errors.push(m);
      if (m.code === 'STATE_LOST') return rejoinAfterStateLost();
      if (m.requestId === 'join' && retryRejoin(m)) return;
      if (m.requestId?.startsWith('watch-')) onWatchFailed(m.requestId.slice('watch-'.length));
      return status(`error ${m.code}: ${m.message}`);
    default: return;
  }
}

// STATE_LOST: the server lost its records of this connection (its store restarted empty) and has dropped its media.
// Open a new connection with a fresh token and join again as what we were; the camera stays on. $connect may
// answer 503 while the store recovers, so the new connection is retried with a growing pause.
async function rejoinAfterStateLost() {
  if (state.rejoining) return;
  state.rejoining = true;
  state.rejoins = (state.rejoins ?? 0) + 1;
  status('the server lost the room; rejoining…');
  const role = state.joinAck?.participantType ?? state.options.role;
  state.rejoinJoinRetries = 0;
  clearInterval(state.heartbeat);
  for (const stationId of [...state.watching.keys()]) stopWatching(stationId);
  for (const { pc } of state.viewerPcs.values()) pc.close();
  state.viewerPcs.clear();
  state.publishPc?.close();
  state.publishPc = null;
  Object.assign(state, { joinAck: null, stationId: null, publishers: [], earlyList: null });
  const old = state.ws;
  old.onmessage = null;
  old.onclose = null;
  old.close();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        return await join({ ...state.options, role });
      } catch (e) {
        if (attempt >= 5) throw e;
        await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
      }
    }
  } finally {
    state.rejoining = false;
  }
}

// While the store recovers, the rejoin's Join may find no media server registered yet (NO_MUNIT_AVAILABLE) or the
// store busy: it is sent again with a growing pause, a few times.
const REJOIN_RETRYABLE = ['NO_MUNIT_AVAILABLE', 'BUSY', 'MUNIT_TIMEOUT', 'INTERNAL_ERROR'];
function retryRejoin(m) {
  if (!state.rejoins || state.joinAck || !REJOIN_RETRYABLE.includes(m.code)) return false;
  state.rejoinJoinRetries = (state.rejoinJoinRetries ?? 0) + 1;
  if (state.rejoinJoinRetries > 6) return false;
  const o = state.options;
  setTimeout(() => send({ action: 'Join', requestId: 'join', roomId: o.room, roomKind: o.kind, role: o.role, audio: true, video: true }),
    500 * 2 ** state.rejoinJoinRetries);
  return true;
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
    location.href = `/hls/index.html?stream=${encodeURIComponent(m.playbackUrl)}`;
    return;
  }
  await onPublisherList(m.publishers, m.ownerId);
  if (state.earlyList) {
    const early = state.earlyList;
    state.earlyList = null;
    await onPublisherList(early.publishers, early.ownerId);
  }
}

async function publish() {
  $('self').hidden = false;
  // A p2m room becomes one LL-HLS rendition: one layer, and H.264 because that is what HLS players decode.
  const liveStream = state.options.kind === 'p2m';
  const simulcast = state.options.simulcast && !liveStream;
  // A station that moved to another media server publishes the same camera again.
  state.localStream ??= await navigator.mediaDevices.getUserMedia({
    audio: true,
    video: { width: 960, height: 540, frameRate: 15 },
  });
  $('local').srcObject = state.localStream;
  const pc = new RTCPeerConnection(peerConfig());
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
  pc.oniceconnectionstatechange = () => watchPublishIce(pc);
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  send({ action: 'Offer', requestId: 'publish', stationId: state.stationId, sdp: offer.sdp });
}

// Our network changed (Wi-Fi to mobile, a new address): ICE restart on the same media server, which keeps the
// session, so viewers see a short pause rather than a reconnect. "disconnected" often heals by itself; give it 3 s.
function watchPublishIce(pc) {
  const restart = async () => {
    if (state.publishPc !== pc || !['failed', 'disconnected'].includes(pc.iceConnectionState)) return;
    status('network changed; restarting ICE…');
    state.iceRestarts = (state.iceRestarts ?? 0) + 1;
    pc.restartIce();
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    send({ action: 'Offer', requestId: 'publish', stationId: state.stationId, sdp: offer.sdp });
  };
  if (pc.iceConnectionState === 'failed') restart();
  else if (pc.iceConnectionState === 'disconnected') setTimeout(restart, 3000);
}

// A station moved to another Munit (its media server died or stopped). Our own: offer again to the new one.
// Someone else's: its old connection carries nothing now; watch again when the publisher is live again
// (PublishListChangeAck "published" follows its new offer).
async function onStationMoved(m) {
  state.moves = (state.moves ?? 0) + 1;
  if (m.stationId === state.stationId) {
    status('the media server changed; reconnecting…');
    state.publishPc?.close();
    state.publishPc = null;
    return publish();
  }
  const publisher = state.publishers.find((p) => p.stationId === m.stationId);
  if (publisher) publisher.live = false;
  stopWatching(m.stationId);
}

// Our media connection to the Munit ended (its DTLS session closed, ICE consent expired): offer again.
async function onMediaLost(m) {
  state.mediaLosses = (state.mediaLosses ?? 0) + 1;
  if (m.stationId !== state.stationId) return;
  status('media connection lost; reconnecting…');
  state.publishPc?.close();
  state.publishPc = null;
  return publish();
}

// Another publisher's media connection ended: stop watching it; "published" says when to watch again.
function onOthersMediaLost(publishers) {
  for (const p of publishers ?? []) if (!p.live && p.stationId && p.participantId !== state.participantId) stopWatching(p.stationId);
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
  const pc = m.stationId && state.watching.get(m.stationId)?.pc ? state.watching.get(m.stationId).pc : state.publishPc;
  if (pc && m.candidate) await pc.addIceCandidate({ candidate: m.candidate, sdpMid: m.sdpMid, sdpMLineIndex: m.sdpMLineIndex }).catch(() => {});
}

async function onPublisherList(publishers, ownerId) {
  state.publishers = publishers ?? [];
  if (ownerId) state.ownerId = ownerId;
  const present = new Set();
  for (const p of state.publishers) {
    if (!p.stationId || p.participantId === state.participantId) continue;
    present.add(p.stationId);
    const entry = watchEntry(p.stationId, p.participantId);
    if (entry.requested) continue;
    if (p.offerSdp) {
      entry.requested = true;
      await answerStation(p.stationId, p.participantId, p.offerSdp);
    } else if (p.live) {
      requestWatch(p.stationId);
    } else {
      // Joined but not publishing yet: PublishListChangeAck "published" says when its media is there.
      entry.tile.querySelector('.state').textContent = 'waiting for the publisher';
    }
  }
  for (const stationId of [...state.watching.keys()]) if (!present.has(stationId)) stopWatching(stationId);
}

function requestWatch(stationId) {
  const entry = state.watching.get(stationId);
  if (!entry || entry.ended) return;
  entry.requested = true;
  entry.tile.querySelector('.state').textContent = 'connecting';
  send({ action: 'Watch', requestId: `watch-${stationId}`, stationId });
}

// A Watch that failed (the Munit was busy, or the station is moving) is asked again with a growing pause,
// as long as the publisher is still in the room.
function onWatchFailed(stationId) {
  const entry = state.watching.get(stationId);
  if (!entry) return;
  entry.requested = false;
  entry.retries = (entry.retries ?? 0) + 1;
  if (entry.retries > 5) return;
  setTimeout(() => {
    if (state.publishers.some((p) => p.stationId === stationId && p.live)) requestWatch(stationId);
  }, 500 * 2 ** entry.retries);
}

function watchEntry(stationId, publisherId) {
  let entry = state.watching.get(stationId);
  if (!entry) {
    const tile = remoteTile(stationId, publisherId);
    const video = tile.querySelector('video');
    const stream = new MediaStream();
    video.srcObject = stream;
    entry = { publisherId, tile, video, stream, pc: null, layer: null, ended: false, requested: false, retries: 0 };
    state.watching.set(stationId, entry);
  }
  return entry;
}

// Like Janus multistream, a Munit puts every station a viewer watches on one connection and answers each
// Watch with a new offer for the whole connection. Offers that share an ICE ufrag belong to one connection.
function viewerConnection(sdp) {
  const ufrag = /a=ice-ufrag:(\S+)/.exec(sdp)?.[1] ?? '';
  let conn = state.viewerPcs.get(ufrag);
  if (conn) return conn;
  const pc = new RTCPeerConnection(peerConfig());
  conn = { pc, queue: Promise.resolve(), version: -1 };
  state.viewerPcs.set(ufrag, conn);
  pc.ontrack = (e) => {
    // The Munit names each track's stream after its station.
    const stationId = e.streams[0]?.id;
    if (!stationId) return;
    const publisherId = state.publishers.find((p) => p.stationId === stationId)?.participantId ?? '';
    const entry = watchEntry(stationId, publisherId);
    entry.pc = pc;
    entry.stream.addTrack(e.track);
  };
  pc.onconnectionstatechange = () => {
    for (const entry of state.watching.values()) {
      if (entry.pc === pc) entry.tile.querySelector('.state').textContent = pc.connectionState;
    }
  };
  return conn;
}

function answerStation(stationId, publisherId, sdp) {
  const entry = watchEntry(stationId, publisherId);
  const conn = viewerConnection(sdp);
  entry.pc = conn.pc;
  // Offers for one connection are applied strictly in order, and each covers the whole connection, so one
  // older than what is applied already (JoinAck lists them per publisher, not in creation order) is skipped.
  const version = Number(/^o=\S+ \S+ (\d+)/m.exec(sdp)?.[1] ?? 0);
  conn.queue = conn.queue.then(async () => {
    if (version <= conn.version) return;
    conn.version = version;
    await conn.pc.setRemoteDescription({ type: 'offer', sdp });
    const answer = await conn.pc.createAnswer();
    await conn.pc.setLocalDescription(answer);
    send({ action: 'Answer', requestId: `answer-${stationId}`, stationId, sdp: answer.sdp });
  }).catch((e) => { state.errors.push({ code: 'NEGOTIATION', message: String(e) }); });
  return conn.queue;
}

function stopWatching(stationId) {
  const entry = state.watching.get(stationId);
  if (!entry) return;
  entry.ended = true;
  entry.stream.getTracks().forEach((t) => t.stop());
  entry.tile.remove();
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

/** The local candidate type (host, srflx, relay) of each connection's selected pair: how media flows. */
async function selectedCandidateTypes() {
  const typeOf = async (pc) => {
    const stats = await pc.getStats();
    let type = null;
    stats.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) {
        const pair = stats.get(s.selectedCandidatePairId);
        type = stats.get(pair?.localCandidateId)?.candidateType ?? null;
      }
    });
    return type;
  };
  return {
    publish: state.publishPc ? await typeOf(state.publishPc) : null,
    viewers: await Promise.all([...state.viewerPcs.values()].map(({ pc }) => typeOf(pc))),
  };
}

/** Decoded-video facts per watched station, read from getStats (used by the page and by tests). */
async function videoStats() {
  const result = {};
  const reports = new Map();
  for (const { pc } of state.viewerPcs.values()) reports.set(pc, await pc.getStats());
  for (const [stationId, entry] of state.watching) {
    const tracks = entry.stream.getTracks();
    const ids = new Set(tracks.map((t) => t.id));
    const out = { publisherId: entry.publisherId, framesDecoded: 0, frameWidth: 0, frameHeight: 0, connectionState: entry.pc?.connectionState ?? 'new', trackStates: tracks.map((t) => t.readyState) };
    reports.get(entry.pc)?.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video' && ids.has(s.trackIdentifier)) {
        out.framesDecoded += s.framesDecoded ?? 0;
        out.frameWidth = s.frameWidth ?? out.frameWidth;
        out.frameHeight = s.frameHeight ?? out.frameHeight;
      }
    });
    const size = entry.tile.querySelector('.size');
    size.textContent = out.frameWidth ? `${out.frameWidth}×${out.frameHeight}` : '';
    result[stationId] = out;
  }
  return result;
}

setInterval(videoStats, 1000);

window.mobz = { state, join, leave, selectLayer, videoStats, selectedCandidateTypes, send };

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
  join({ room: q.get('room') ?? 'demo', kind: q.get('kind') ?? 'm2m', role: q.get('role') ?? 'publisher', simulcast: q.get('simulcast') !== '0', relay: q.get('relay') === '1' });
}
