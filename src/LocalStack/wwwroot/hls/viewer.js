// LL-HLS viewer for p2m rooms. ?stream=<room id> (or a playlist URL) starts playback at once. Where playback
// needs a token, the playlist URL from the room's JoinAck carries it in its path (/hls/<room>/t/<token>/index.m3u8).
// The page says in words what playback is doing, how far behind live it is and which rendition plays.
// window.mobzHls exposes the player and live figures for tests and the curious.
(() => {
  'use strict';
  const video = document.getElementById('video');
  const input = document.getElementById('stream');
  const show = (id, text) => {
    const el = document.getElementById(id);
    if (el.textContent !== text) el.textContent = text;
  };
  const stats = { state: 'idle', latencySeconds: null, bufferSeconds: null, targetLatency: null, rendition: null, errors: [] };
  window.mobzHls = { stats, hls: null };

  // Machine state -> what a person reads, how it looks, and what covers the video meanwhile (null: nothing).
  const STATES = {
    idle: ['Pick a stream to play', '', 'Pick a stream to play'],
    native: ['Playing with the browser\'s own HLS player', 'ok', null],
    loading: ['Loading the stream…', 'warn', 'Loading the stream…'],
    waiting: ['Waiting for the stream to start…', 'warn', 'The stream has not started yet; trying again every 2 seconds…'],
    buffering: ['Buffering…', 'warn', null],
    playing: ['Playing live', 'ok', null],
    paused: ['Paused', '', null],
    ended: ['The stream ended', 'bad', 'The stream ended.'],
    refused: ['Refused', 'bad', 'Playback was refused.'],
    error: ['Playback failed', 'bad', 'Playback failed.'],
  };

  function setState(state, detail) {
    stats.state = state;
    const [words, tone, cover] = STATES[state];
    show('state', detail ? `${words}: ${detail}` : words);
    document.getElementById('state').className = `state ${tone}`;
    const overlay = document.getElementById('overlay');
    overlay.hidden = cover === null;
    if (cover !== null) overlay.textContent = detail ? `${cover} ${detail}` : cover;
  }

  function showError(text) {
    const box = document.getElementById('error');
    box.hidden = !text;
    box.textContent = text ?? '';
  }

  function playlistUrl(value) {
    if (/^https?:|^\//.test(value)) return value;
    return `/hls/${encodeURIComponent(value)}/index.m3u8`;
  }

  const formatBitrate = (bps) => (bps >= 1_000_000 ? `${(bps / 1_000_000).toFixed(2)} Mbit/s` : `${Math.round(bps / 1000)} kbit/s`);

  // What plays: the picture's size as decoded, and the bitrate the playlist declares for the rendition.
  function showRendition(hls) {
    const level = hls && hls.levels && hls.levels[hls.currentLevel >= 0 ? hls.currentLevel : 0];
    if (!level || !video.videoWidth) return;
    const count = hls.levels.length;
    stats.rendition = { width: video.videoWidth, height: video.videoHeight, bitrate: level.bitrate, level: hls.currentLevel, levels: count };
    show('rendition', `${video.videoWidth}×${video.videoHeight} · ${formatBitrate(level.bitrate)}${count > 1 ? ` · rendition ${hls.currentLevel + 1} of ${count}` : ''}`);
    show('level', [level.videoCodec, level.audioCodec].filter(Boolean).join(', ') || '–');
  }

  function play(value) {
    if (window.mobzHls.hls) window.mobzHls.hls.destroy();
    showError(null);
    const url = playlistUrl(value);
    if (!window.Hls || !Hls.isSupported()) {
      // Safari plays LL-HLS natively.
      video.src = url;
      video.play().catch(() => {});
      setState('native');
      return;
    }

    // Catch up (play up to 1.5x) after a stall instead of staying behind the live edge for good.
    const hls = new Hls({ lowLatencyMode: true, backBufferLength: 30, maxLiveSyncPlaybackRate: 1.5 });
    window.mobzHls.hls = hls;
    setState('loading');
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      video.play().catch(() => {});
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, () => showRendition(hls));
    hls.on(Hls.Events.ERROR, (_, data) => {
      stats.errors.push(`${data.type}/${data.details}${data.fatal ? ' (fatal)' : ''}`);
      if (!data.fatal) return;
      const code = data.response && data.response.code;
      if (code === 401 || code === 403) {
        // Playback needs a token for this room (the URL the room page hands out has it): retrying will not help.
        const why = code === 401 ? 'this playback URL needs a valid access token' : 'the token is not for this room';
        setState('refused', `${why} (${code})`);
        showError(`Playback was refused (${code}): ${why}. Open the stream from the group chat page, which hands out a playback URL with a token.`);
        return;
      }
      // A stream that has not started yet answers 404: try again shortly.
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
        setState(code === 404 ? 'waiting' : 'error', code === 404 ? '' : `${data.details}; trying again`);
        setTimeout(() => play(value), 2000);
      } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
        setState('error', `${data.details}; recovering`);
        hls.recoverMediaError();
      } else setState('error', data.details);
    });
    hls.loadSource(url);
    hls.attachMedia(video);
  }

  video.addEventListener('playing', () => setState('playing'));
  video.addEventListener('waiting', () => { if (stats.state === 'playing') setState('buffering'); });
  video.addEventListener('pause', () => { if (stats.state === 'playing' && !video.ended) setState('paused'); });
  video.addEventListener('ended', () => setState('ended'));
  video.addEventListener('resize', () => showRendition(window.mobzHls.hls));

  setInterval(() => {
    const hls = window.mobzHls.hls;
    const date = hls && hls.playingDate;
    if (date) {
      stats.latencySeconds = (Date.now() - date.getTime()) / 1000;
      stats.targetLatency = hls.targetLatency;
      const target = hls.targetLatency ? ` (target ${hls.targetLatency.toFixed(1)} s)` : '';
      show('latency', `${stats.latencySeconds.toFixed(1)} s behind live${target}`);
    }
    const ranges = video.buffered;
    if (ranges.length) {
      stats.bufferSeconds = ranges.end(ranges.length - 1) - video.currentTime;
      show('buffer', `${stats.bufferSeconds.toFixed(2)} s`);
    }
    showRendition(hls);
  }, 250);

  document.getElementById('pick').addEventListener('submit', (e) => {
    e.preventDefault();
    if (!input.value) return;
    history.replaceState(null, '', `?stream=${encodeURIComponent(input.value)}`);
    play(input.value);
  });

  const initial = new URLSearchParams(location.search).get('stream');
  if (initial) {
    input.value = initial;
    play(initial);
  } else setState('idle');
})();
