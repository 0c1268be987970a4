#!/usr/bin/env bash
# Installs what MobZ's local stack and its tests use, only what is missing, so it is safe to run every time.
#   scripts/install-prereqs.sh            -> everything (redis-server, chromium, aiortc, ffmpeg, npm packages)
#   scripts/install-prereqs.sh run        -> what `make run` needs
set -euo pipefail
cd "$(dirname "$0")/.."

want=(redis-server chromium python3-aiortc ffmpeg)
if [[ "${1:-all}" == "run" ]]; then want=(redis-server chromium); fi

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Browser-side packages (hls.js, Epic's Pixel Streaming frontend, esbuild) for the demo site and interop tests.
if [[ ! -d web/node_modules ]] || [[ web/package-lock.json -nt web/node_modules/.package-lock.json ]]; then
  echo "installing npm packages in web/"
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi

# The demo pages' bundles (Epic's frontend, our streamer script, hls.js) are built, not committed.
(cd web && npm run --silent build >/dev/null)
