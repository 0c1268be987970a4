// The group-chat tiles: one per watched publisher, showing who it is, their mute/camera state, the layer and
// bitrate this browser receives, and what went wrong in words (with a retry) instead of a frozen frame.
// room.js owns the protocol and calls these with what it knows; nothing here sends anything itself.

export const LAYERS = [
  { value: 'auto', label: 'auto' },
  { value: 'h', label: 'high' },
  { value: 'm', label: 'medium' },
  { value: 'l', label: 'low' },
];

export const layerLabel = (value) => LAYERS.find((l) => l.value === value)?.label ?? value;

const STATE_WORDS = {
  new: 'connecting',
  connecting: 'connecting',
  connected: 'live',
  disconnected: 'reconnecting…',
  failed: 'failed',
  closed: 'closed',
};

export const connectionWords = (state) => STATE_WORDS[state] ?? state;

export function formatBitrate(bps) {
  if (!(bps > 0)) return '0 kbit/s';
  return bps >= 1_000_000 ? `${(bps / 1_000_000).toFixed(2)} Mbit/s` : `${Math.round(bps / 1000)} kbit/s`;
}

/** A new tile in the grid; the callbacks are the person's actions on it. */
export function createRemoteTile(container, stationId, { onLayer, onRetry, onKick }) {
  const tile = document.createElement('article');
  tile.className = 'tile remote';
  tile.dataset.station = stationId;
  tile.innerHTML = `
    <div class="screen">
      <video autoplay playsinline muted></video>
      <div class="overlay" hidden><p class="overlay-text"></p><button type="button" class="retry" hidden>Retry</button></div>
    </div>
    <div class="caption">
      <span class="name"></span>
      <span class="badges"><span class="badge owner" hidden>owner</span><span class="badge mic"></span><span class="badge cam"></span></span>
      <span class="actions"><button type="button" class="kick danger" hidden>Kick</button></span>
    </div>
    <div class="picker-row">
      <label>layer <select class="picker"></select></label>
      <span class="meta"><span class="state">connecting</span> · <span class="layer">auto</span>
        <span class="size"></span> · <span class="bitrate">–</span></span>
    </div>`;
  const select = tile.querySelector('select.picker');
  for (const layer of LAYERS) select.append(new Option(layer.label, layer.value));
  select.onchange = () => onLayer(select.value);
  tile.querySelector('.retry').onclick = onRetry;
  tile.querySelector('.kick').onclick = onKick;
  container.append(tile);
  return tile;
}

const text = (tile, selector, value) => {
  const el = tile.querySelector(selector);
  if (el.textContent !== value) el.textContent = value;
};

/**
 * Draws one tile from a view of it:
 * { name, owner, audio, video, connection, failure, layer, layerPending, width, height, bitrate, canKick }.
 * A failure covers the video with words and a retry button, so a dead stream never looks alive.
 */
export function renderTile(tile, view) {
  text(tile, '.name', view.name);
  tile.querySelector('.name').title = view.name;
  tile.querySelector('.owner').hidden = !view.owner;
  const mic = tile.querySelector('.mic');
  text(tile, '.mic', view.audio === false ? 'muted' : 'mic on');
  mic.className = `badge mic ${view.audio === false ? 'warn' : 'ok'}`;
  const cam = tile.querySelector('.cam');
  text(tile, '.cam', view.video === false ? 'camera off' : 'camera on');
  cam.className = `badge cam ${view.video === false ? 'warn' : 'ok'}`;
  tile.querySelector('.kick').hidden = !view.canKick;

  text(tile, '.state', view.failure ? 'failed' : connectionWords(view.connection));
  text(tile, '.layer', `${layerLabel(view.layer)}${view.layerPending ? ' (switching…)' : ''}`);
  text(tile, '.size', view.width ? `${view.width}×${view.height}` : '');
  text(tile, '.bitrate', view.connection === 'connected' && !view.failure ? formatBitrate(view.bitrate) : '–');
  const select = tile.querySelector('select.picker');
  if (select.value !== view.layer && document.activeElement !== select) select.value = view.layer;

  tile.classList.toggle('failed', !!view.failure);
  const overlay = tile.querySelector('.overlay');
  const message = view.failure ?? (view.video === false ? `${view.name} turned the camera off`
    : view.waiting ? `Waiting for ${view.name} to start the camera…`
      : view.connection !== 'connected' || !view.width ? `Connecting to ${view.name}…` : null);
  overlay.hidden = message === null;
  if (message !== null) text(tile, '.overlay-text', message);
  tile.querySelector('.retry').hidden = !view.failure;
}
