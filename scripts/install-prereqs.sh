#!/usr/bin/env bash
# Installs what MobZ needs, only what is missing, so it is safe to run every time (on Debian or Ubuntu).
#   scripts/install-prereqs.sh            -> what `make test` needs: everything below but the AWS CLI
#   scripts/install-prereqs.sh run        -> what `make run` needs: redis-server, chromium, Node.js + npm, the web bundles
#   scripts/install-prereqs.sh web        -> Node.js + npm and the web bundles alone
#   scripts/install-prereqs.sh fuzz       -> AFL++, for `make fuzz`
#   scripts/install-prereqs.sh lint       -> cfn-lint, for `make lint-templates`
#   scripts/install-prereqs.sh bench      -> redis-server and Debian's Janus, for bench/idle/measure-idle-cpu.sh
#   scripts/install-prereqs.sh images     -> what `make images` needs: buildah when there is no docker daemon or podman,
#                                            debootstrap for the local base image
#   scripts/install-prereqs.sh deploy     -> what `make deploy` needs: the AWS CLI, zip, cfn-lint, the Native AOT toolchain
#                                            (clang) for the Lambda bootstrap, and the images mode's
# Several modes may be given at once (`run lint`).
set -euo pipefail
cd "$(dirname "$0")/.."

# cfn-lint is not packaged by Debian: it goes into its own virtualenv from the Python package index that pip is
# configured for (pip.conf, PIP_INDEX_URL), pinned so every machine lints the templates alike.
CFN_LINT_VERSION=1.51.0
CFN_LINT_VENV=/opt/mobz/cfn-lint

# Native AOT (the Lambda bootstrap, docs/deploy-lambda.md) compiles to an object file and links it with the platform
# toolchain: clang as the linker driver (it brings binutils' ld and objcopy, libgcc and libstdc++). zlib1g-dev, which
# older .NET needed, is not: .NET 10's AOT runtime pack links its own libz.a.
aot_toolchain=(clang)

# GStreamer as an HLS client: gst-launch-1.0 (tools), playbin3 (base), the HTTP source and MP4 demuxer (good),
# hlsdemux2 (bad), the H.264 decoder (libav).
gstreamer=(gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav)

modes=("$@"); ((${#modes[@]})) || modes=(test)
debs=() web=0 cfn=0
for mode in "${modes[@]}"; do
  case "$mode" in
    run) debs+=(redis-server chromium); web=1 ;;
    web) web=1 ;;
    # Tests also build the Munit image (buildah) on a Debian root made with debootstrap (tests/Infra.Tests), and
    # relay calls through a real TURN server (coturn; its service stays off, tests start their own).
    # AFL++ drives the fuzz harnesses (scripts/fuzz.sh), which make test runs for a few seconds each. The aiortc
    # publisher that follows StationMoved does its own room signaling over python3-websockets. The Lambda bootstrap
    # is published with Native AOT in a test, as make deploy does (aot_toolchain above). The LL-HLS player matrix
    # plays streams with GStreamer (gst-launch-1.0 playbin3 with hlsdemux2, H.264 through libav) and ffmpeg.
    test) debs+=(redis-server chromium python3-aiortc python3-websockets ffmpeg buildah debootstrap zip coturn afl++ "${aot_toolchain[@]}" "${gstreamer[@]}"); web=1; cfn=1 ;;
    fuzz) debs+=(afl++) ;;
    # The idle-CPU comparison runs Janus from a copy of its configuration; the package's own service is not needed.
    bench) debs+=(redis-server janus) ;;
    lint) cfn=1 ;;
    deploy|images)
      # An engine that can build: a running docker daemon or podman is used as it is; otherwise buildah, which
      # needs neither a daemon nor a container runtime (scripts/container-engine.sh). Without a reachable
      # registry the .NET base image is made from a debootstrap root (scripts/images.sh).
      { command -v docker >/dev/null && docker info >/dev/null 2>&1; } || command -v podman >/dev/null || debs+=(buildah)
      debs+=(debootstrap)
      if [[ "$mode" == deploy ]]; then
        cfn=1; command -v zip >/dev/null || debs+=(zip); command -v aws >/dev/null || debs+=(awscli)
        debs+=("${aot_toolchain[@]}")
      fi ;;
    *) echo "install-prereqs.sh: unknown mode '$mode' (run, web, test, fuzz, lint, images, deploy)" >&2; exit 2 ;;
  esac
done
# Node.js and npm may come from Debian or from elsewhere (NodeSource's nodejs carries its own npm): only a
# missing command is installed.
if ((web)); then
  command -v node >/dev/null || debs+=(nodejs)
  command -v npm >/dev/null || debs+=(npm)
fi
if ((cfn)) && ! command -v cfn-lint >/dev/null; then debs+=(python3-venv); fi

SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
missing=()
for pkg in $(printf '%s\n' "${debs[@]}" | sort -u); do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ((cfn)) && ! command -v cfn-lint >/dev/null; then
  echo "installing cfn-lint $CFN_LINT_VERSION in $CFN_LINT_VENV"
  $SUDO python3 -m venv "$CFN_LINT_VENV"
  $SUDO "$CFN_LINT_VENV/bin/pip" install --quiet --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION"
  $SUDO ln -sf "$CFN_LINT_VENV/bin/cfn-lint" /usr/local/bin/cfn-lint
fi

if ((web)); then
  # Browser-side packages (hls.js, Epic's Pixel Streaming frontend, esbuild) for the demo site and interop tests.
  if [[ ! -d web/node_modules ]] || [[ web/package-lock.json -nt web/node_modules/.package-lock.json ]]; then
    echo "installing npm packages in web/"
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
  fi
  # The demo pages' bundles (Epic's frontend, our streamer script, hls.js) are built, not committed.
  (cd web && npm run --silent build >/dev/null)
fi
