// LL-HLS viewer for p2m rooms. ?stream=<room id> (or a playlist URL) starts playback at once. Where playback
// needs a token, the playlist URL from the room's JoinAck carries it in its path (/hls/<room>/t/<token>/index.m3u8).
// window.mobzHls exposes the player and live figures for tests and the curious.
(() => {
  'use strict';
  const video = document.getElementById('video');
  const input = document.getElementById('stream');
  const show = (id, text) => { document.getElementById(id).textContent = text; };
  const stats = { state: 'idle', latencySeconds: null, bufferSeconds: null, targetLatency: null, errors: [] };
  window.mobzHls = { stats, hls: null };

  function playlistUrl(value) {
    if (/^https?:|^\//.test(value)) return value;
    return `/hls/${encodeURIComponent(value)}/index.m3u8`;
  }

  function setState(state) {
    stats.state = state;
    show('state', state);
  }

  function play(value) {
    if (window.mobzHls.hls) window.mobzHls.hls.destroy();
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
    hls.on(Hls.Events.MANIFEST_PARSED, (_, data) => {
      const level = data.levels[0];
      if (level) show('level', `${level.videoCodec || ''} ${level.audioCodec || ''} ${level.width}x${level.height}`);
      video.play().catch(() => {});
      setState('loading');
    });
    hls.on(Hls.Events.ERROR, (_, data) => {
      stats.errors.push(`${data.type}/${data.details}${data.fatal ? ' (fatal)' : ''}`);
      if (!data.fatal) return;
      const code = data.response && data.response.code;
      if (code === 401 || code === 403) {
        // Playback needs a token for this room (the URL the room page hands out has it): retrying will not help.
        setState(`refused (${code}): ${code === 401 ? 'this playback URL needs a valid access token' : 'the token is not for this room'}; open the stream from the room page`);
        return;
      }
      setState(`error: ${data.details}`);
      // A stream that has not started yet answers 404: try again shortly.
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR) setTimeout(() => play(value), 2000);
      else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
    });
    video.addEventListener('playing', () => setState('playing'), { once: true });
    hls.loadSource(url);
    hls.attachMedia(video);
  }

  setInterval(() => {
    const hls = window.mobzHls.hls;
    const date = hls && hls.playingDate;
    if (date) {
      stats.latencySeconds = (Date.now() - date.getTime()) / 1000;
      stats.targetLatency = hls.targetLatency;
      show('latency', `${stats.latencySeconds.toFixed(2)} s`);
    }
    const ranges = video.buffered;
    if (ranges.length) {
      stats.bufferSeconds = ranges.end(ranges.length - 1) - video.currentTime;
      show('buffer', `${stats.bufferSeconds.toFixed(2)} s`);
    }
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
  }
})();
