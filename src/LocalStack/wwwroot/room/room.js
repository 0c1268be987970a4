// MobZ group chat demo: the browser side of the room protocol (docs/protocol.md).
// A publisher sends its camera to its station on a Munit; every participant watches the other publishers'
// stations, one RTCPeerConnection per station, and may pick a simulcast layer for each.
// window.mobz exposes the state so the interop tests drive exactly what a person uses.
// The tiles (tiles.js) and the error words (errors.js) live apart from the protocol, which stays here.

import { createRemoteTile, renderTile, formatBitrate } from './tiles.js';
import { errorInWords } from './errors.js';

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
  listVersion: -1, // the room's publisher-list version of state.publishers (JoinAck, PublishListChangeAck)
  listReady: false, // the JoinAck's list is applied: later lists apply at once instead of waiting in earlyList
  received: [],
  errors: [],
  publishPc: null,
  localStream: null,
  me: null, // { userId, grants } from the access token (display only: the server enforces the grants)
  watching: new Map(), // stationId -> { publisherId, tile, video, stream, pc, layer, ended, requested, retries, failure, sample }
  viewerPcs: new Map(), // Munit ICE ufrag -> { pc, queue }
  heartbeat: null,
  options: null,
};

function status(text) { $('status').textContent = text; }

/** An error in words, above the tiles, until dismissed or the next one. */
function showError(text) {
  $('error-text').textContent = text;
  $('error').hidden = false;
}

function clearError() { $('error').hidden = true; }

/** Whether this browser may use the admin actions (Kick, accept/reject publish requests, CloseRoom). */
const isAdmin = () => state.me?.grants.includes('admin') ?? false;

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
  // The name others see is the token's user id.
  if (options.name) query.set('userId', options.name);
  const r = await fetch(`/dev/token?${query}`, { cache: 'no-store' });
  if (!r.ok) throw new Error('no access token: open this page with ?token=<access token>');
  return (await r.json()).token;
}

// The token's claims, for what the page shows (your name, the buttons your grants allow); not a check.
function tokenClaims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(part.padEnd(Math.ceil(part.length / 4) * 4, '=')));
    const grants = Array.isArray(claims.grants) ? claims.grants : claims.grants ? [claims.grants] : [];
    return { userId: claims.sub ?? claims.userId ?? null, grants };
  } catch {
    return { userId: null, grants: [] };
  }
}

function wsUrl(token) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws?access_token=${encodeURIComponent(token)}`;
}

async function join(options) {
  state.options = options;
  state.leaving = false;
  state.kicked = false;
  clearError();
  $('join-button').disabled = true;
  let token;
  try {
    token = await accessToken(options);
  } catch (e) {
    status(e.message);
    showError(`Could not get an access token: ${e.message}`);
    $('join-button').disabled = false;
    throw e;
  }
  state.me = tokenClaims(token);
  $('self-name').textContent = state.me.userId ?? 'You';
  const ws = new WebSocket(wsUrl(token));
  state.ws = ws;
  ws.onmessage = (e) => onMessage(JSON.parse(e.data));
  ws.onclose = () => {
    clearInterval(state.heartbeat);
    if (state.ws !== ws) return;
    if (!state.kicked && !state.leaving && state.joinAck) {
      status('disconnected');
      showError('Lost the connection to the server. Press Join to come back.');
    } else if (!state.kicked) status('disconnected');
    resetRoomUi();
  };
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => {
      status('the server refused the connection (is the access token valid for this room?)');
      showError('The server refused the connection: the access token is not valid (or not for this room).');
      $('join-button').disabled = false;
      reject(new Error('refused'));
    };
  });
  send({ action: 'Join', requestId: 'join', roomId: options.room, roomKind: options.kind, role: options.role, audio: true, video: true });
  status(`joining ${options.room}…`);
}

function leave() {
  state.leaving = true;
  send({ action: 'Leave' });
  for (const stationId of [...state.watching.keys()]) stopWatching(stationId);
  for (const { pc } of state.viewerPcs.values()) pc.close();
  state.viewerPcs.clear();
  state.publishPc?.close();
  state.publishPc = null;
  state.localStream?.getTracks().forEach((t) => t.stop());
  state.localStream = null;
  state.ws?.close();
  resetRoomUi();
}

// Back to the join form: buttons as before joining, no self tile, no publish requests.
function resetRoomUi() {
  state.joinAck = null;
  state.listReady = false;
  state.listVersion = -1; // a room of the same name made later counts its versions afresh
  $('join-button').disabled = false;
  $('leave').disabled = true;
  $('request').hidden = true;
  $('close-room').hidden = true;
  $('self').hidden = true;
  $('requests').hidden = true;
  $('request-list').replaceChildren();
  $('empty').hidden = true;
}

async function onMessage(m) {
  state.received.push(m.action);
  switch (m.action) {
    case 'JoinAck': return onJoinAck(m);
    case 'Answer': return onAnswer(m);
    case 'WatchAck': return answerStation(m.stationId, m.publisherId, m.sdp);
    case 'IceCandidate': return onRemoteCandidate(m);
    case 'PublishListChangeAck':
      // A change announced while our Join was in flight can overtake the JoinAck, and one can come while the JoinAck
      // is still being handled (a publisher's camera starting): the newest is applied after the JoinAck's list.
      if (!state.listReady) {
        if (!state.earlyList || m.version > state.earlyList.version) state.earlyList = m;
        return;
      }
      // Announcements of two changes can arrive in the opposite order: a list older than ours is stale.
      if (m.version < state.listVersion) return;
      if (m.reason === 'mediaLost') onOthersMediaLost(m.publishers);
      return onPublisherList(m.publishers, m.ownerId, m.version);
    case 'StationMoved': return onStationMoved(m);
    case 'MediaLost': return onMediaLost(m);
    case 'PublishRequest': return onPublishRequest(m);
    case 'PublishAccept': state.stationId = m.stationId; return publish();
    case 'PublishReject': return showError(`The owner declined your request to publish${m.reason ? `: ${m.reason}` : '.'}`);
    case 'Kicked': {
      state.kicked = true;
      const words = m.reason === 'roomClosed' ? 'the room was closed' : 'you were removed from the room';
      status(words);
      showError(m.reason === 'roomClosed' ? 'The room was closed by an admin.' : 'An admin removed you from the room. You can join again.');
      return leave();
    }
    case 'KickAck': return status('removed them from the room');
    case 'CloseRoomAck': status(`closed the room; ${m.removed} removed`); return leave();
    case 'UpdateVideo': return onUpdateVideo(m);
    case 'SimulcastUpdateAck': return onLayerAck(m);
    case 'HeartbeatAck': state.participantId = m.participantId; return;
    case 'Error':
      state.errors.push(m);
      if (m.code === 'STATE_LOST') return rejoinAfterStateLost();
      if (m.requestId === 'join' && retryRejoin(m)) return;
      status(`error ${m.code}: ${m.message}`);
      // A failed Watch is retried and shown on its tile; everything else is shown to the person.
      if (m.requestId?.startsWith('watch-')) return onWatchFailed(m.requestId.slice('watch-'.length), m);
      if (m.requestId === 'join') $('join-button').disabled = false;
      return showError(errorInWords(m));
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
  Object.assign(state, { joinAck: null, stationId: null, publishers: [], listVersion: -1, listReady: false, earlyList: null });
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
const REJOIN_RETRYABLE = ['NO_MUNIT_AVAILABLE', 'BUSY', 'MUNIT_TIMEOUT', 'INTERNAL_ERROR', 'STORE_UNAVAILABLE'];
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
  status(`in room ${m.roomId} as ${state.me?.userId ?? m.participantId}, ${m.participantType}${m.participantId === m.ownerId ? ' (owner)' : ''}`);
  $('leave').disabled = false;
  $('request').hidden = m.participantType === 'publisher';
  $('request').disabled = m.participantType === 'publisher';
  $('close-room').hidden = !isAdmin();
  $('self-owner').hidden = m.participantId !== m.ownerId;
  updateEmpty();
  state.heartbeat = setInterval(() => send({ action: 'Heartbeat' }), m.heartbeatIntervalMs || 10000);
  if (m.participantType === 'publisher') {
    // Without a camera (refused, none) this page still shows the others; the lists below must not wait on it.
    try {
      await publish();
    } catch (e) {
      showError(`could not publish: ${e.message ?? e}`);
    }
  }
  if (m.playbackUrl) {
    // p2m viewers watch the LL-HLS stream instead of WebRTC.
    location.href = `/hls/index.html?stream=${encodeURIComponent(m.playbackUrl)}`;
    return;
  }
  // The JoinAck's list carries the offers to answer, so it is applied even when an early notice is newer.
  await onPublisherList(m.publishers, m.ownerId, m.version);
  const early = state.earlyList;
  state.earlyList = null;
  state.listReady = true;
  if (early && early.version > m.version) await onPublisherList(early.publishers, early.ownerId, early.version);
}

async function publish() {
  $('self').hidden = false;
  $('request').hidden = true;
  // A p2m room becomes LL-HLS: H.264, because that is what HLS players decode; with simulcast, one rendition per
  // layer (an adaptive ladder without transcoding), else one rendition.
  const liveStream = state.options.kind === 'p2m';
  const simulcast = state.options.simulcast;
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

async function onPublisherList(publishers, ownerId, version) {
  state.publishers = publishers ?? [];
  state.listVersion = version ?? state.listVersion;
  if (ownerId) state.ownerId = ownerId;
  $('self-owner').hidden = state.ownerId !== state.participantId;
  const me = state.publishers.find((p) => p.participantId === state.participantId);
  if (me) showSelfMedia(me.audio, me.video);
  const present = new Set();
  for (const p of state.publishers) {
    if (!p.stationId || p.participantId === state.participantId) continue;
    present.add(p.stationId);
    const entry = watchEntry(p.stationId, p.participantId);
    entry.waiting = !p.live && !p.offerSdp;
    drawTile(p.stationId);
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
  updateEmpty();
}

// Someone muted or turned off the camera: their tile says so.
function onUpdateVideo(m) {
  const publisher = state.publishers.find((p) => p.participantId === m.participantId);
  if (!publisher) return;
  if (typeof m.audio === 'boolean') publisher.audio = m.audio;
  if (typeof m.video === 'boolean') publisher.video = m.video;
  if (publisher.stationId) drawTile(publisher.stationId);
}

function showSelfMedia(audio, video) {
  $('self-mic').textContent = audio === false ? 'muted' : 'mic on';
  $('self-mic').className = `badge ${audio === false ? 'warn' : 'ok'}`;
  $('self-cam').textContent = video === false ? 'camera off' : 'camera on';
  $('self-cam').className = `badge ${video === false ? 'warn' : 'ok'}`;
  $('self-overlay').hidden = video !== false;
}

function updateEmpty() {
  $('empty').hidden = !state.joinAck || state.watching.size > 0;
}

function requestWatch(stationId) {
  const entry = state.watching.get(stationId);
  if (!entry || entry.ended) return;
  entry.requested = true;
  entry.tile.querySelector('.state').textContent = 'connecting';
  send({ action: 'Watch', requestId: `watch-${stationId}`, stationId });
}

// The person pressed Retry on a tile whose media failed. A viewer connection that failed is dropped (the Munit
// makes a new one for the next answer), and every station it carried is watched again on a fresh one.
function retryStation(stationId) {
  const entry = state.watching.get(stationId);
  if (!entry) return;
  const stations = [stationId];
  const pc = entry.pc;
  if (pc && ['failed', 'closed'].includes(pc.connectionState)) {
    for (const [ufrag, conn] of state.viewerPcs) if (conn.pc === pc) state.viewerPcs.delete(ufrag);
    pc.close();
    for (const [other, e] of state.watching) if (e.pc === pc && other !== stationId) stations.push(other);
  }
  for (const id of stations) {
    const e = state.watching.get(id);
    if (e.pc === pc && ['failed', 'closed'].includes(pc?.connectionState)) {
      e.pc = null;
      e.stream.getTracks().forEach((t) => { t.stop(); e.stream.removeTrack(t); });
    }
    e.failure = null;
    e.stalledSince = null;
    e.retries = 0;
    e.requested = false;
    requestWatch(id);
    drawTile(id);
  }
}

// A Watch that failed (the Munit was busy, or the station is moving) is asked again with a growing pause,
// as long as the publisher is still in the room.
function onWatchFailed(stationId, error) {
  const entry = state.watching.get(stationId);
  if (!entry) return;
  entry.requested = false;
  entry.retries = (entry.retries ?? 0) + 1;
  if (entry.retries > 5) {
    entry.failure = `Could not get this video. ${errorInWords(error)}`;
    return drawTile(stationId);
  }
  setTimeout(() => {
    if (state.publishers.some((p) => p.stationId === stationId && p.live)) requestWatch(stationId);
  }, 500 * 2 ** entry.retries);
}

function watchEntry(stationId, publisherId) {
  let entry = state.watching.get(stationId);
  if (!entry) {
    const tile = createRemoteTile($('remotes'), stationId, {
      onLayer: (layer) => selectLayer(stationId, layer),
      onRetry: () => retryStation(stationId),
      onKick: () => kick(entry.publisherId),
    });
    const video = tile.querySelector('video');
    // Sound once the person has clicked on the page (Join); a page that joined by itself must start muted to autoplay.
    video.muted = !navigator.userActivation?.hasBeenActive;
    const stream = new MediaStream();
    video.srcObject = stream;
    entry = { publisherId, tile, video, stream, pc: null, layer: 'auto', layerPending: false, ended: false, requested: false, retries: 0, failure: null, sample: null };
    state.watching.set(stationId, entry);
    drawTile(stationId);
    updateEmpty();
  }
  return entry;
}

/** Redraws a tile from what the page knows about its publisher and its media. */
function drawTile(stationId) {
  const entry = state.watching.get(stationId);
  if (!entry) return;
  const publisher = state.publishers.find((p) => p.stationId === stationId);
  const sample = entry.sample;
  renderTile(entry.tile, {
    name: publisher?.userId || entry.publisherId || 'someone',
    owner: !!entry.publisherId && entry.publisherId === state.ownerId,
    audio: publisher?.audio,
    video: publisher?.video,
    waiting: entry.waiting && !entry.pc,
    connection: entry.pc?.connectionState ?? 'new',
    failure: entry.failure,
    layer: entry.layer ?? 'auto',
    layerPending: entry.layerPending,
    width: sample?.frameWidth ?? 0,
    height: sample?.frameHeight ?? 0,
    bitrate: sample?.bitrate ?? 0,
    canKick: isAdmin() && !!entry.publisherId,
  });
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
    for (const [stationId, entry] of state.watching) {
      if (entry.pc !== pc) continue;
      if (pc.connectionState === 'failed') entry.failure = 'The connection to the media server failed.';
      drawTile(stationId);
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
  updateEmpty();
}

// "auto" asks for the top layer ("high" names it whatever rids the publisher uses): the Munit always caps what
// a viewer gets at what its bandwidth estimate carries (docs/munit.md), so the top layer is "the best this
// network allows".
function selectLayer(stationId, layer) {
  const entry = state.watching.get(stationId);
  if (entry) {
    entry.layer = layer;
    entry.layerPending = true;
    drawTile(stationId);
  }
  send({ action: 'SimulcastUpdate', requestId: `layer-${stationId}`, stationId, layer: layer === 'auto' ? 'high' : layer });
}

function onLayerAck(m) {
  const entry = state.watching.get(m.stationId);
  if (!entry) return;
  entry.layerPending = false;
  drawTile(m.stationId);
}

function kick(participantId) {
  if (participantId) send({ action: 'Kick', requestId: `kick-${participantId}`, participantId });
}

function onPublishRequest(m) {
  $('requests').hidden = false;
  const li = document.createElement('li');
  li.textContent = `${m.userId ?? m.participantId} asks to publish `;
  li.dataset.participant = m.participantId;
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
    const publisher = state.publishers.find((p) => p.stationId === stationId);
    const out = {
      publisherId: entry.publisherId, userId: publisher?.userId ?? null, framesDecoded: 0, frameWidth: 0, frameHeight: 0,
      bytesReceived: 0, bitrate: entry.sample?.bitrate ?? 0, layer: entry.layer, connectionState: entry.pc?.connectionState ?? 'new',
      trackStates: tracks.map((t) => t.readyState), failure: entry.failure,
    };
    let timestamp = 0;
    reports.get(entry.pc)?.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video' && ids.has(s.trackIdentifier)) {
        out.framesDecoded += s.framesDecoded ?? 0;
        out.bytesReceived += s.bytesReceived ?? 0;
        out.frameWidth = s.frameWidth ?? out.frameWidth;
        out.frameHeight = s.frameHeight ?? out.frameHeight;
        timestamp = s.timestamp;
      }
    });
    sampleBitrate(stationId, entry, out, timestamp);
    result[stationId] = out;
  }
  return result;
}

// The received video bitrate over about a second (callers may ask more often; the figure moves once a second),
// and a stream whose frames stopped arriving, which would otherwise sit there as a frozen picture.
const STALL_MS = 8000;
function sampleBitrate(stationId, entry, out, timestamp) {
  const previous = entry.sample;
  if (previous && timestamp && timestamp - previous.timestamp < 900) {
    out.bitrate = previous.bitrate;
    return;
  }
  const elapsed = previous && timestamp ? timestamp - previous.timestamp : 0;
  const bitrate = elapsed > 0 && out.bytesReceived >= previous.bytesReceived
    ? ((out.bytesReceived - previous.bytesReceived) * 8 * 1000) / elapsed : 0;
  const now = performance.now();
  const decoding = !previous || out.framesDecoded > previous.framesDecoded;
  entry.sample = { timestamp: timestamp || (previous?.timestamp ?? 0), bytesReceived: out.bytesReceived, framesDecoded: out.framesDecoded,
    frameWidth: out.frameWidth, frameHeight: out.frameHeight, bitrate, lastProgress: decoding ? now : previous.lastProgress };
  out.bitrate = bitrate;
  const publisher = state.publishers.find((p) => p.stationId === stationId);
  // A connection closed under us (the browser tore it down) says nothing through connectionstatechange.
  if (['failed', 'closed'].includes(out.connectionState) && !entry.failure) entry.failure = 'The connection to the media server failed.';
  const stalled = out.framesDecoded > 0 && out.connectionState === 'connected' && publisher?.video !== false
    && now - entry.sample.lastProgress > STALL_MS;
  if (stalled && !entry.failure) {
    entry.failure = `No video from ${publisher?.userId ?? 'this publisher'} for ${Math.round(STALL_MS / 1000)} seconds.`;
    entry.stalled = true;
  } else if (!stalled && entry.stalled) {
    entry.failure = null;
    entry.stalled = false;
  }
  drawTile(stationId);
}

/** What this browser sends: the active simulcast layers and the total bitrate, on the self tile. */
async function showPublishStats() {
  const pc = state.publishPc;
  if (!pc) return;
  const stats = await pc.getStats();
  let bytes = 0;
  let timestamp = 0;
  const layers = [];
  stats.forEach((s) => {
    if (s.type !== 'outbound-rtp' || s.kind !== 'video') return;
    bytes += s.bytesSent ?? 0;
    timestamp = s.timestamp;
    if (s.frameHeight) layers.push(s.rid ? `${s.rid} ${s.frameHeight}p` : `${s.frameHeight}p`);
  });
  const previous = state.publishSample;
  state.publishSample = { bytes, timestamp };
  if (!previous || timestamp <= previous.timestamp) return;
  const bitrate = ((bytes - previous.bytes) * 8 * 1000) / (timestamp - previous.timestamp);
  $('self-meta').textContent = `${pc.connectionState === 'connected' ? 'sending' : pc.connectionState}${layers.length ? ` ${layers.join(', ')}` : ''} · ${formatBitrate(bitrate)}`;
}

setInterval(() => { videoStats(); showPublishStats(); }, 1000);

window.mobz = { state, join, leave, selectLayer, retryStation, kick, videoStats, selectedCandidateTypes, send };

$('join').onsubmit = (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  join({ name: f.get('name').trim(), room: f.get('room'), kind: f.get('kind'), role: f.get('role'), simulcast: f.get('simulcast') === 'on' }).catch(() => {});
};
$('leave').onclick = () => { leave(); status('you left the room'); };
$('request').onclick = () => { send({ action: 'PublishRequest', requestId: 'publish-request' }); status('asked the owner to let you publish…'); };
$('close-room').onclick = () => send({ action: 'CloseRoom', requestId: 'close-room' });
$('error-dismiss').onclick = clearError;
const sendMedia = () => {
  showSelfMedia($('mic').checked, $('cam').checked);
  send({ action: 'UpdateVideo', audio: $('mic').checked, video: $('cam').checked });
};
$('mic').onchange = (e) => { state.localStream?.getAudioTracks().forEach((t) => { t.enabled = e.target.checked; }); sendMedia(); };
$('cam').onchange = (e) => { state.localStream?.getVideoTracks().forEach((t) => { t.enabled = e.target.checked; }); sendMedia(); };

// ?name=…&room=…&kind=m2m&role=publisher&simulcast=1&autojoin=1 joins without clicking (links, tests); &grants=join,subscribe
// asks the development token endpoint for fewer grants than all. Simulcast is on unless simulcast=0, except for a p2m
// publisher, which sends one layer unless simulcast=1 (then its LL-HLS stream is a ladder of one rendition per layer).
const q = new URLSearchParams(location.search);
if (q.get('name')) document.querySelector('[name=name]').value = q.get('name');
if (q.get('room')) document.querySelector('[name=room]').value = q.get('room');
if (q.get('kind')) document.querySelector('[name=kind]').value = q.get('kind');
if (q.get('role')) document.querySelector('[name=role]').value = q.get('role');
const simulcastWanted = q.has('simulcast') ? q.get('simulcast') !== '0' : (q.get('kind') ?? 'm2m') !== 'p2m';
document.querySelector('[name=simulcast]').checked = simulcastWanted;
if (q.get('autojoin') === '1') {
  join({ name: q.get('name') ?? '', grants: q.get('grants') ?? undefined, room: q.get('room') ?? 'demo', kind: q.get('kind') ?? 'm2m', role: q.get('role') ?? 'publisher', simulcast: simulcastWanted, relay: q.get('relay') === '1' });
}
