// The MobZ admin page: polls the admin API (docs/operations.md) and sends its orders. The key lives in
// sessionStorage only, so it is gone when the tab closes.

const KEY_STORAGE = 'mobz-admin-key';
const REFRESH_MS = 2000;

const $ = (id) => document.getElementById(id);
const form = $('key');
const keyInput = $('api-key');

let header = 'x-api-key';
let apiKey = null;
// Bumped whenever the key changes, so an answer to an older key's request is not shown.
let generation = 0;
let timer = null;
let refreshing = null;
let refreshAgain = false;
const shown = { rooms: null, munits: null, ps: null };
const errors = new Map();

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(method, path) {
  let response;
  try {
    response = await fetch(path, { method, headers: { [header]: apiKey }, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, `cannot reach the server (${e.message})`);
  }
  const text = response.status === 204 ? '' : await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { /* not JSON: the text itself is the message */ }
  if (!response.ok) throw new ApiError(response.status, body?.error ?? (text || response.statusText));
  return body;
}

function describe(error) {
  if (!(error instanceof ApiError)) return String(error);
  return error.status === 0 ? error.message : `${error.status}: ${error.message}`;
}

function setError(source, message) {
  if (message) errors.set(source, message); else errors.delete(source);
  const box = $('error');
  box.replaceChildren(...[...errors.values()].map((m) => el('div', {}, m)));
  box.hidden = errors.size === 0;
}

function notice(text) {
  $('notice').textContent = text;
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== false && value != null) node.setAttribute(name, value === true ? '' : value);
  }
  node.append(...children.filter((c) => c != null));
  return node;
}

const badge = (text, kind = '') => el('span', { class: `badge ${kind}` }, text);
const mono = (text) => (text ? el('span', { class: 'mono' }, text) : '–');

// ---- key handling -------------------------------------------------------------------------------

async function askHint() {
  try {
    const response = await fetch('/api/admin/key-hint', { cache: 'no-store' });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

function connect(key) {
  apiKey = key;
  generation++;
  sessionStorage.setItem(KEY_STORAGE, key);
  for (const name of Object.keys(shown)) shown[name] = null;
  $('forget').hidden = false;
  $('key-note').textContent = '';
  setError('auth', null);
  refreshNow();
}

function disconnect() {
  apiKey = null;
  generation++;
  clearTimeout(timer);
  sessionStorage.removeItem(KEY_STORAGE);
  $('panels').hidden = true;
  $('forget').hidden = true;
  $('updated').textContent = '';
  notice('');
  setError('refresh', null);
  setError('action', null);
}

function refused(error) {
  disconnect();
  setError('auth', `${error.status} Unauthorized: the server refused this API key (${error.message}). Enter the key configured as PS_API_KEY.`);
  keyInput.focus();
  keyInput.select();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  if (key) connect(key);
});

$('forget').addEventListener('click', () => {
  disconnect();
  setError('auth', null);
  keyInput.value = '';
  $('key-note').textContent = 'Key forgotten.';
  keyInput.focus();
});

// ---- polling ------------------------------------------------------------------------------------

function refreshNow() {
  clearTimeout(timer);
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = refresh().finally(() => {
    refreshing = null;
    if (refreshAgain) {
      refreshAgain = false;
      refreshNow();
    }
  });
  return refreshing;
}

async function refresh() {
  if (!apiKey) return;
  const mine = generation;
  try {
    const [rooms, munits, ps] = await Promise.all([
      api('GET', '/api/admin/rooms'),
      api('GET', '/api/admin/munits'),
      api('GET', '/api/admin/pixelstreaming'),
    ]);
    if (mine !== generation) return;
    render('rooms', rooms.rooms, renderRooms);
    render('munits', munits.munits, renderMunits);
    render('ps', ps, renderPixelStreaming);
    $('panels').hidden = false;
    $('updated').textContent = `Updated ${new Date().toLocaleTimeString()}.`;
    setError('refresh', null);
  } catch (error) {
    if (mine !== generation) return;
    if (error.status === 401) {
      refused(error);
      return;
    }
    setError('refresh', `Could not refresh — ${describe(error)}. Retrying every ${REFRESH_MS / 1000} s.`);
  }
  if (mine === generation) timer = setTimeout(refreshNow, REFRESH_MS);
}

// Only touch the DOM when the data changed, so a button does not vanish under the pointer mid-click.
function render(name, data, draw) {
  const json = JSON.stringify(data);
  if (shown[name] === json) return;
  shown[name] = json;
  draw(data);
}

async function order(button, description, method, path) {
  button.disabled = true;
  try {
    await api(method, path);
    setError('action', null);
    notice(`${description}: done.`);
  } catch (error) {
    if (error.status === 401) {
      refused(error);
      return;
    }
    setError('action', `${description} failed — ${describe(error)}`);
    notice('');
  } finally {
    button.disabled = false;
  }
  refreshNow();
}

// ---- rooms --------------------------------------------------------------------------------------

const byText = (key) => (a, b) => String(key(a) ?? '').localeCompare(String(key(b) ?? ''));

function renderRooms(rooms) {
  $('rooms-count').textContent = `(${rooms.length})`;
  const list = [...rooms].sort(byText((r) => r.roomId));
  $('rooms').replaceChildren(...(list.length === 0 ? [el('p', { class: 'empty' }, 'No rooms.')] : list.map(renderRoom)));
}

// The owner is a connection id; name it by its user id while that member is still in the room.
function ownerName(room, members) {
  if (!room.ownerId) return '–';
  return members.find((m) => m.connectionId === room.ownerId)?.userId ?? room.ownerId;
}

function renderRoom(room) {
  const path = `/api/admin/rooms/${encodeURIComponent(room.roomId)}`;
  const members = [...room.members].sort(byText((m) => m.userId ?? m.connectionId));
  const close = el('button', { type: 'button', class: 'danger' }, 'Close room');
  close.addEventListener('click', () => {
    if (confirm(`Close room ${room.roomId}? Its ${members.length} member(s) are told (Kicked by admin) and disconnected.`))
      order(close, `Close room ${room.roomId}`, 'DELETE', path);
  });
  const rows = members.map((m) => {
    const who = m.userId ?? m.connectionId;
    const kick = el('button', { type: 'button', class: 'danger' }, 'Kick');
    kick.addEventListener('click', () => {
      if (confirm(`Kick ${who} from room ${room.roomId}? They are told (Kicked by admin) and disconnected.`))
        order(kick, `Kick ${who} from ${room.roomId}`, 'DELETE', `${path}/members/${encodeURIComponent(m.connectionId)}`);
    });
    const media = [m.audio ? 'audio' : null, m.video ? 'video' : null].filter(Boolean).join(' + ') || '–';
    return el('tr', { 'data-connection': m.connectionId },
      el('td', {}, m.userId ?? el('span', { class: 'empty' }, 'anonymous')),
      el('td', {}, m.role, m.owner ? ' ' : null, m.owner ? badge('owner') : null),
      el('td', {}, mono(m.connectionId)),
      el('td', {}, media),
      el('td', {}, mono(m.stationId)),
      el('td', {}, mono(m.munitId)),
      el('td', {}, m.stationId ? (m.live ? badge('live', 'ok') : badge('not live', 'warn')) : '–'),
      el('td', { class: 'actions' }, kick));
  });
  return el('article', { class: 'room', 'data-room': room.roomId },
    el('div', { class: 'room-head' },
      el('h3', {}, mono(room.roomId)),
      el('span', { class: 'meta' }, `${room.kind} · owner ${ownerName(room, members)} · ${members.length} member(s)`),
      close),
    members.length === 0 ? el('p', { class: 'empty' }, 'No members.') : el('table', {},
      el('thead', {}, el('tr', {}, ...['User', 'Role', 'Connection', 'Media', 'Station', 'Munit', 'Live', ''].map((h) => el('th', {}, h)))),
      el('tbody', {}, ...rows)));
}

// ---- Munits -------------------------------------------------------------------------------------

function renderMunits(munits) {
  $('munits-count').textContent = `(${munits.length})`;
  if (munits.length === 0) {
    $('munits').replaceChildren(el('p', { class: 'empty' }, 'No Munit is registered.'));
    return;
  }
  // By id, not by load (the API's order), so rows and their buttons stay where they are.
  const list = [...munits].sort(byText((m) => m.munitId));
  $('munits').replaceChildren(el('table', {},
    el('thead', {}, el('tr', {}, ...['Munit', 'Address', 'Load', 'Subscribers / capacity', 'Stations', 'State', ''].map((h) => el('th', {}, h)))),
    el('tbody', {}, ...list.map(renderMunit))));
}

function renderMunit(m) {
  const path = `/api/admin/munits/${encodeURIComponent(m.munitId)}`;
  const percent = Math.round(m.load * 100);
  const button = (label, verb, enabled, ask) => {
    const b = el('button', { type: 'button', disabled: !enabled, class: verb === 'stop' ? 'danger' : null }, label);
    b.addEventListener('click', () => {
      if (!ask || confirm(ask)) order(b, `${label} ${m.munitId}`, 'POST', `${path}/${verb}`);
    });
    return b;
  };
  // A drain with a deadline: stations still here when it passes move to other Munits, and their clients are told.
  const drainBy = el('button', { type: 'button', disabled: m.draining }, 'Drain with deadline…');
  drainBy.addEventListener('click', () => {
    const answer = prompt(`Drain Munit ${m.munitId}: after how many seconds should the stations still on it move to other Munits? `
      + 'Their publishers and viewers are told and reconnect on their own.', '60');
    if (answer === null) return;
    const seconds = Number(answer.trim());
    if (answer.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > 86400) {
      setError('action', `Drain ${m.munitId}: "${answer}" is not a number of seconds from 0 to 86400`);
      return;
    }
    order(drainBy, `Drain ${m.munitId} (hand over after ${seconds} s)`, 'POST', `${path}/drain?deadlineSeconds=${encodeURIComponent(seconds)}`);
  });
  const state = [
    m.alive ? badge('alive', 'ok') : badge('heartbeat lost', 'bad'),
    m.draining ? badge('draining', 'warn') : badge('taking stations', 'ok'),
  ];
  return el('tr', { 'data-munit': m.munitId },
    el('td', {}, mono(m.munitId)),
    el('td', {}, mono(m.address ? `${m.address}:${m.port}` : null)),
    el('td', { class: 'nowrap' }, el('span', { class: `load${percent >= 80 ? ' high' : ''}` }, el('span', { style: `width: ${Math.min(percent, 100)}%` })), `${percent} %`),
    el('td', { class: 'num' }, `${m.subscribers} / ${m.capacity}`),
    el('td', {}, String(m.stations), ...m.stationIds.map((id) => el('div', { class: 'mono' }, id))),
    el('td', {}, state[0], ' ', state[1]),
    el('td', { class: 'actions' },
      button('Drain', 'drain', !m.draining),
      drainBy,
      button('Revive', 'revive', m.draining),
      button('Stop', 'stop', true, `Stop Munit ${m.munitId}? Its ${m.stations} station(s) move to other Munits now and the host stops.`)));
}

// ---- Pixel Streaming ----------------------------------------------------------------------------

function renderPixelStreaming(ps) {
  const queue = ps.queue.length === 0
    ? el('p', { class: 'empty' }, 'Nobody is waiting.')
    : el('ol', { class: 'queue' }, ...ps.queue.map((id) => el('li', {}, mono(id))));
  const stateKind = { IDLE: 'ok', BUSY: '', RESERVED: 'warn', INITIALIZING: 'warn' };
  const streamers = ps.streamers.length === 0
    ? el('p', { class: 'empty' }, 'No streamer is registered.')
    : el('table', {},
      el('thead', {}, el('tr', {}, ...['Streamer', 'State', 'Player'].map((h) => el('th', {}, h)))),
      el('tbody', {}, ...ps.streamers.map((s) => el('tr', { 'data-streamer': s.streamerId },
        el('td', {}, mono(s.streamerId)),
        el('td', {}, s.state ? badge(s.state, stateKind[s.state] ?? '') : '–'),
        el('td', {}, mono(s.playerId))))));
  $('pixelstreaming').replaceChildren(
    el('h3', { class: 'sub' }, `Queue (${ps.queue.length}, oldest first)`), queue,
    el('h3', { class: 'sub' }, `Streamers (${ps.streamers.length})`), streamers);
}

// ---- start --------------------------------------------------------------------------------------

const hint = await askHint();
if (hint?.header) header = hint.header;
keyInput.closest('label').firstChild.textContent = `API key (${header}) `;
const stored = sessionStorage.getItem(KEY_STORAGE);
if (stored) {
  keyInput.value = stored;
  connect(stored);
} else if (hint?.developmentKey) {
  keyInput.value = hint.developmentKey;
  $('key-note').textContent = 'Development mode: the server\'s development key is filled in. Press Connect.';
} else {
  $('key-note').textContent = 'Enter the API key the server is configured with (PS_API_KEY).';
  keyInput.focus();
}
