// MobZ Pixel Streaming player: Epic's frontend library, connected to our signalling with a player token.
import { Config, PixelStreaming, Logger, LogLevel } from '@epicgames-ps/lib-pixelstreamingfrontend-ue5.5';

const params = new URLSearchParams(location.search);
const status = document.getElementById('status') as HTMLElement;
const playButton = document.getElementById('play') as HTMLButtonElement;
const videoParent = document.getElementById('video') as HTMLElement;
const queuePanel = document.getElementById('queue') as HTMLElement;

interface PlayerState {
  userId: string;
  streamerLists: string[][];
  queueStatuses: { position: number; estimatedWaitSeconds?: number }[];
  closes: { code: number; reason: string }[];
  events: string[];
  pixelStreaming?: PixelStreaming;
}
const state: PlayerState = { userId: params.get('userId') || `viewer-${Math.random().toString(36).slice(2, 10)}`, streamerLists: [], queueStatuses: [], closes: [], events: [] };
(window as unknown as { __player: PlayerState }).__player = state;

function show(line: string) {
  state.events.push(line);
  status.textContent = line;
}

// The queue card over the stage: where this player stands and about how long until a streamer is free.
function showQueue(position?: number, estimatedWaitSeconds?: number) {
  queuePanel.hidden = false;
  (document.getElementById('queue-position') as HTMLElement).textContent =
    position === undefined ? 'Waiting in the queue…' : position === 1 ? 'You are next in the queue' : `You are number ${position} in the queue`;
  (document.getElementById('queue-wait') as HTMLElement).textContent = estimatedWaitSeconds === undefined
    ? 'Every streamer is busy; you get the next free one.'
    : `About ${formatWait(estimatedWaitSeconds)} to wait.`;
}

function hideQueue() {
  queuePanel.hidden = true;
}

function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

async function tokenFor(userId: string): Promise<string> {
  const given = params.get('token');
  if (given) return given;
  // Development stacks (make run) mint tokens; a real deployment hands the page a token from its own login.
  const response = await fetch(`/dev/token?room=ps&grants=join&userId=${encodeURIComponent(userId)}`);
  if (!response.ok) throw new Error(`no token: ${response.status} ${await response.text()}`);
  return (await response.json()).token;
}

async function start() {
  playButton.disabled = true;
  const token = await tokenFor(state.userId);
  const projectUrl = params.get('projectUrl') || `${location.origin}/projects/demo.uproject`;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const ss = `${scheme}://${location.host}/ps?type=player&token=${encodeURIComponent(token)}&projectUrl=${encodeURIComponent(projectUrl)}`;
  Logger.InitLogging(LogLevel.Warning, false);
  const config = new Config({
    useUrlParams: false,
    initialSettings: {
      ss,
      AutoConnect: false,
      AutoPlayVideo: true,
      StartVideoMuted: true,
      WaitForStreamer: true,
      // Epic's default: when the server closes the socket (our streamer left, or kicked us), reconnect and
      // take a streamer again — the server lists this player its lost streamer so the library resubscribes.
      MaxReconnectAttempts: 3,
      HoveringMouse: true,
      SuppressBrowserKeys: false,
    },
  });
  const ps = new PixelStreaming(config, { videoElementParent: videoParent });
  state.pixelStreaming = ps;
  ps.addEventListener('streamerListMessage', (e) => {
    const ids = [...e.data.messageStreamerList.ids];
    state.streamerLists.push(ids);
    const queued = ids.length === 1 && ids[0] === 'waiting_queue';
    show(queued ? 'waiting for a free streamer…' : `streamers: ${ids.join(', ')}`);
    if (queued && queuePanel.hidden) showQueue();
  });
  ps.addEventListener('webRtcConnected', () => { hideQueue(); show('connected to the streamer'); });
  ps.addEventListener('playStream', () => { hideQueue(); show('playing'); });
  ps.addEventListener('playStreamRejected', () => show('press play again to start the video'));
  ps.addEventListener('webRtcDisconnected', () => show('disconnected'));
  // MobZ's own message (Epic's library ignores it): where this player stands in the waiting queue.
  ps.signallingProtocol.addListener('queueStatus', (msg) => {
    const q = msg as unknown as { position: number; estimatedWaitSeconds?: number };
    state.queueStatuses.push({ position: q.position, estimatedWaitSeconds: q.estimatedWaitSeconds });
    show(`waiting for a free streamer: position ${q.position}${q.estimatedWaitSeconds !== undefined ? `, about ${formatWait(q.estimatedWaitSeconds)}` : ''}`);
    showQueue(q.position, q.estimatedWaitSeconds);
  });
  ps.signallingProtocol.transport.addListener('close', (event: CloseEvent) => {
    state.closes.push({ code: event.code, reason: event.reason });
    hideQueue();
    show(event.reason ? `disconnected: ${event.reason}` : 'disconnected');
  });
  ps.connect();
  show(`connecting as ${state.userId}…`);
}

playButton.addEventListener('click', () => {
  start().catch((e) => {
    show(`failed: ${e}`);
    playButton.disabled = false;
  });
});
if (params.get('autoplay') === '1') playButton.click();
