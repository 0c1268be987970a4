// MobZ local streamer: the streamer side of Epic's Pixel Streaming signalling, in a browser.
// It stands in for an Unreal instance: its video is the (fake) camera with the loaded project drawn on top,
// and it answers the streaming-worker page protocol (GET {worker}/poll) for what to show and record.
const params = new URLSearchParams(location.search);
const streamerId = params.get('id') || 'local-streamer';
const workerUrl = params.get('worker');
const signallingUrl = params.get('ss') || `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ps?type=streamer`;

const statusLine = document.getElementById('status');
const canvas = document.getElementById('canvas');
const ctx = canvas.getContext('2d');
const camera = document.createElement('video');
camera.muted = true;
camera.playsInline = true;

const state = { registeredAs: null, project: null, player: null, peers: new Map(), log: [] };
window.__streamer = state;

function log(line) {
  state.log.push(line);
  if (state.log.length > 200) state.log.shift();
  if (statusLine) statusLine.textContent = line;
  console.log(`[streamer ${streamerId}] ${line}`);
}

let output;
async function startMedia() {
  const media = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: true });
  camera.srcObject = media;
  await camera.play();
  // Timers, not requestAnimationFrame: a headless, hidden page gets no animation frames.
  setInterval(draw, 33);
  output = canvas.captureStream(30);
  for (const track of media.getAudioTracks()) output.addTrack(track);
}

function draw() {
  ctx.drawImage(camera, 0, 0, canvas.width, canvas.height);
  ctx.fillStyle = 'rgba(0,0,0,0.55)';
  ctx.fillRect(0, canvas.height - 56, canvas.width, 56);
  ctx.fillStyle = '#fff';
  ctx.font = '16px sans-serif';
  ctx.fillText(`MobZ local streamer ${state.registeredAs || streamerId}`, 10, canvas.height - 34);
  ctx.fillText(state.project ? `project: ${state.project}` : 'no project loaded', 10, canvas.height - 12);
}

let ws;
let peerConfig = {};
function send(message) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
}

function connect() {
  ws = new WebSocket(signallingUrl);
  ws.onopen = () => log('signalling connected');
  ws.onmessage = (event) => {
    let message;
    try { message = JSON.parse(event.data); } catch { return; }
    handle(message).catch((e) => log(`error handling ${message.type}: ${e}`));
  };
  ws.onclose = (event) => {
    log(`signalling closed (${event.code}); reconnecting`);
    for (const pc of state.peers.values()) pc.close();
    state.peers.clear();
    state.registeredAs = null;
    setTimeout(connect, 1000);
  };
}

async function handle(message) {
  switch (message.type) {
    case 'config':
      peerConfig = message.peerConnectionOptions || {};
      break;
    case 'identify':
      send({ type: 'endpointId', id: streamerId, protocolVersion: '1.3.0' });
      break;
    case 'endpointIdConfirm':
      state.registeredAs = message.committedId;
      log(`registered as ${message.committedId}`);
      break;
    case 'playerConnected':
      await offerTo(message.playerId, message.dataChannel !== false);
      break;
    case 'answer': {
      const pc = state.peers.get(message.playerId);
      if (pc) await pc.setRemoteDescription({ type: 'answer', sdp: message.sdp });
      break;
    }
    case 'iceCandidate': {
      const pc = state.peers.get(message.playerId);
      if (pc && message.candidate && message.candidate.candidate) await pc.addIceCandidate(message.candidate);
      break;
    }
    case 'playerDisconnected': {
      const pc = state.peers.get(message.playerId);
      if (pc) pc.close();
      state.peers.delete(message.playerId);
      state.player = null;
      log(`player ${message.playerId} left`);
      break;
    }
    case 'ping':
      send({ type: 'pong', time: message.time });
      break;
    case 'error':
      log(`signalling error: ${message.message}`);
      break;
  }
}

async function offerTo(playerId, dataChannel) {
  const pc = new RTCPeerConnection(peerConfig);
  state.peers.set(playerId, pc);
  state.player = playerId;
  for (const track of output.getTracks()) pc.addTrack(track, output);
  if (dataChannel) pc.createDataChannel('datachannel', { ordered: true });
  pc.onicecandidate = (event) => {
    if (event.candidate) send({ type: 'iceCandidate', playerId, candidate: event.candidate.toJSON() });
  };
  pc.onconnectionstatechange = () => log(`player ${playerId}: ${pc.connectionState}`);
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  send({ type: 'offer', playerId, sdp: offer.sdp });
  log(`offered to ${playerId}`);
}

// The worker's page protocol: long-poll for the project to show and renders to record.
async function pollWorker() {
  let seq = -1;
  for (;;) {
    try {
      const response = await fetch(`${workerUrl.replace(/\/$/, '')}/poll?seq=${seq}`);
      const update = await response.json();
      seq = update.seq;
      state.project = update.projectUrl || null;
      if (update.render) record(update.render);
    } catch (e) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

async function record(render) {
  const recorder = new MediaRecorder(output, { mimeType: 'video/webm' });
  const chunks = [];
  recorder.ondataavailable = (event) => { if (event.data.size) chunks.push(event.data); };
  const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
  recorder.start(250);
  setTimeout(() => recorder.stop(), render.durationMs);
  await stopped;
  await fetch(`${workerUrl.replace(/\/$/, '')}/videos/${render.jobId}`, { method: 'POST', body: new Blob(chunks, { type: 'video/webm' }) });
  log(`rendered ${render.jobId}`);
}

startMedia().then(() => {
  connect();
  if (workerUrl) pollWorker();
}).catch((e) => log(`camera failed: ${e}`));
