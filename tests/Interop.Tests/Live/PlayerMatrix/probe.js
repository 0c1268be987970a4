// Plays ?src=<playlist> with ?player=hlsjs|shaka|vhs and records what the player and the <video> element say, in
// window.probe, for PlayerMatrixInteropTests: the player's own errors, stalls and gap jumps, and, the same for every
// player, how the playhead moves (a stall is the playhead standing still while the video is meant to play).
(() => {
  'use strict';
  const q = new URLSearchParams(location.search);
  const player = q.get('player');
  const src = q.get('src');
  const probe = {
    player,
    errors: [], // 'text' or 'text (fatal)'
    gapsJumped: 0, // as the player reports them
    playerStalls: 0, // as the player reports them
    usage: [],
    startedAtMs: null, // when the playhead first moved, ms after load
    playedSeconds: 0, // playhead progress since it first moved
    longestStallMs: 0, // longest time the playhead stood still after it first moved
    stallsOverOneSecond: 0,
    stalls: [], // every time the playhead stood still for more than half a second: { atMs, ms }
    holes: [], // holes between the video element's buffered ranges, each once: 'start-end' in seconds
    jumps: [], // playhead moves more than 0.5 s ahead of the wall clock: { atMs, seconds }
    sizes: [], // every decoded picture size, in order
    sizeChanges: [], // when the decoded picture size changed: { atMs, size } (a rendition switch, or the publisher's)
    frames: 0,
    droppedFrames: 0,
    stats: null, // the player's own statistics, at the last sample
    timeline: [], // every second: [s after load, playhead, seconds buffered ahead of it, picture height, stats]
  };
  window.probe = probe;
  let video = document.getElementById('video');
  const loadedAt = performance.now();
  const error = (text, fatal) => probe.errors.push(fatal ? `${text} (fatal)` : text);
  window.addEventListener('error', (e) => error(`page: ${e.message}`, true));
  window.addEventListener('unhandledrejection', (e) => error(`page: ${e.reason}`, true));

  let lastTime = null;
  let lastWall = null;
  let stillSince = null;
  let inStall = false;
  setInterval(() => {
    const now = performance.now();
    const time = video.currentTime;
    const size = `${video.videoWidth}x${video.videoHeight}`;
    if (video.videoWidth && probe.sizes[probe.sizes.length - 1] !== size) {
      probe.sizes.push(size);
      probe.sizeChanges.push({ atMs: Math.round(now - loadedAt), size });
    }
    for (let i = 1; i < video.buffered.length; i++) {
      const hole = `${video.buffered.end(i - 1).toFixed(3)}-${video.buffered.start(i).toFixed(3)}`;
      if (!probe.holes.includes(hole)) probe.holes.push(hole);
    }
    const quality = video.getVideoPlaybackQuality();
    probe.frames = quality.totalVideoFrames;
    probe.droppedFrames = quality.droppedVideoFrames;
    if (lastTime !== null) {
      const advanced = time - lastTime;
      if (probe.startedAtMs === null && advanced > 0) {
        probe.startedAtMs = Math.round(now - loadedAt);
        stillSince = null;
      } else if (probe.startedAtMs !== null) {
        if (advanced > 0) {
          probe.playedSeconds += advanced;
          if (advanced - (now - lastWall) / 1000 > 0.5) {
            probe.jumps.push({ atMs: Math.round(now - loadedAt), seconds: advanced });
          }
          if (stillSince !== null && now - stillSince > 500) {
            probe.stalls.push({ atMs: Math.round(stillSince - loadedAt), ms: Math.round(now - stillSince) });
          }
          stillSince = null;
          inStall = false;
        } else if (!video.paused && !video.ended) {
          stillSince ??= lastWall;
          const stillMs = now - stillSince;
          probe.longestStallMs = Math.max(probe.longestStallMs, Math.round(stillMs));
          if (stillMs > 1000 && !inStall) {
            inStall = true;
            probe.stallsOverOneSecond++;
          }
        }
      }
    }
    lastTime = time;
    lastWall = now;
    probe.stats = stats?.() ?? null;
    if (Math.floor((now - loadedAt) / 1000) >= probe.timeline.length) {
      let ahead = 0;
      for (let i = 0; i < video.buffered.length; i++) {
        if (video.buffered.start(i) <= time && time <= video.buffered.end(i)) ahead = video.buffered.end(i) - time;
      }
      const round = (x) => Math.round(x * 100) / 100;
      probe.timeline.push([round((now - loadedAt) / 1000), round(time), round(ahead), video.videoHeight, probe.stats]);
    }
  }, 100);

  let stats = null;
  const start = {
    hlsjs() {
      const hls = new Hls({ lowLatencyMode: true });
      hls.on(Hls.Events.ERROR, (_, data) => {
        error(`${data.type}/${data.details}`, data.fatal);
        if (data.details === Hls.ErrorDetails.BUFFER_SEEK_OVER_HOLE) probe.gapsJumped++;
        if (data.details === Hls.ErrorDetails.BUFFER_STALLED_ERROR) probe.playerStalls++;
      });
      hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch((e) => error(`play: ${e}`, true)));
      hls.loadSource(src);
      hls.attachMedia(video);
      stats = () => ({
        latency: hls.latency,
        targetLatency: hls.targetLatency,
        level: hls.currentLevel,
        bandwidthEstimate: Math.round(hls.bandwidthEstimate),
      });
    },
    async shaka() {
      shaka.polyfill.installAll();
      const p = new shaka.Player();
      await p.attach(video);
      p.configure({ streaming: { lowLatencyMode: true } });
      p.addEventListener('error', (e) => {
        const d = e.detail;
        const data = (d.data ?? []).map((x) => (typeof x === 'string' ? x.replace(/.*\/t\/[^/]*\//, '…/') : x));
        // Shaka dispatches a streaming error as CRITICAL, then its failure callback may make it RECOVERABLE and
        // retry (a live stream's HTTP errors): its own verdict is the severity once the dispatch is over.
        const text = `shaka ${d.code} (category ${d.category}) ${JSON.stringify(data).slice(0, 300)}`;
        setTimeout(() => error(text, d.severity === 2), 0);
      });
      stats = () => {
        const s = p.getStats();
        probe.gapsJumped = s.gapsJumped;
        probe.playerStalls = s.stallsDetected;
        return {
          liveLatency: s.liveLatency,
          width: s.width,
          height: s.height,
          stallsDetected: s.stallsDetected,
          gapsJumped: s.gapsJumped,
          estimatedBandwidth: Math.round(s.estimatedBandwidth),
          streamBandwidth: s.streamBandwidth,
        };
      };
      await p.load(src, null, 'application/x-mpegurl');
      await video.play();
    },
    vhs() {
      const p = videojs(video, {
        autoplay: 'muted',
        muted: true,
        liveui: false,
        html5: { vhs: { llhls: true, overrideNative: true } },
      });
      p.on('error', () => error(`video.js ${JSON.stringify(p.error())}`, true));
      p.ready(() => {
        video = p.tech({ IWillNotUseThisInPlugins: true }).el();
        p.tech({ IWillNotUseThisInPlugins: true }).on('usage', (e) => {
          probe.usage.push(e.name);
          if (e.name === 'vhs-gap-skip') probe.gapsJumped++;
          if (e.name === 'vhs-unknown-waiting' || e.name === 'vhs-video-underflow') probe.playerStalls++;
        });
      });
      p.src({ src, type: 'application/x-mpegURL' });
      stats = () => {
        const vhs = p.tech({ IWillNotUseThisInPlugins: true })?.vhs;
        if (!vhs) return null;
        const s = vhs.stats;
        return { mediaRequests: s.mediaRequests, mediaRequestsErrored: s.mediaRequestsErrored, bandwidth: s.bandwidth };
      };
    },
  }[player];
  if (!start) error(`unknown player ${player}`, true);
  else Promise.resolve().then(start).catch((e) => error(`start: ${e && (e.code ?? e.message ?? e)}`, true));
})();
