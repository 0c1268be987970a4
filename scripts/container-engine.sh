#!/usr/bin/env bash
# The container engine `make images` and `make deploy` build and push with: MOBZ_ENGINE when set (docker, podman
# or buildah), else docker when its daemon answers `docker info`, else podman, else buildah.
#   scripts/container-engine.sh          prints the engine's name (exit 1 when none is installed)
#   source scripts/container-engine.sh   sets MOBZ_ENGINE and defines `engine ARGS...`, which runs it
# buildah runs without a daemon or container runtime: vfs storage (no overlay mounts) under artifacts/buildah
# (MOBZ_BUILDAH_ROOT), chroot isolation. The tests use the same storage (tests/Infra.Tests/Support/Buildah.cs), so
# images built by `make images` are found by them and the other way round.

mobz_pick_engine() {
  if [[ -n "${MOBZ_ENGINE:-}" ]]; then
    case "$MOBZ_ENGINE" in
      docker|podman|buildah) command -v "$MOBZ_ENGINE" >/dev/null || { echo "container-engine.sh: MOBZ_ENGINE=$MOBZ_ENGINE is not installed" >&2; return 1; } ;;
      *) echo "container-engine.sh: MOBZ_ENGINE must be docker, podman or buildah, not '$MOBZ_ENGINE'" >&2; return 1 ;;
    esac
    echo "$MOBZ_ENGINE"; return 0
  fi
  # A docker client without a reachable daemon (no socket, no permission) cannot build: try the next one.
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then echo docker; return 0; fi
  for e in podman buildah; do command -v "$e" >/dev/null && { echo "$e"; return 0; }; done
  echo "container-engine.sh: no container engine (docker with a running daemon, podman or buildah); scripts/install-prereqs.sh images installs buildah" >&2
  return 1
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  mobz_pick_engine
  exit 0
fi

MOBZ_ENGINE=$(mobz_pick_engine) || return 1
MOBZ_BUILDAH_ROOT=${MOBZ_BUILDAH_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/artifacts/buildah}

engine() {
  if [[ "$MOBZ_ENGINE" == buildah ]]; then
    BUILDAH_ISOLATION=chroot buildah --root="$MOBZ_BUILDAH_ROOT/storage" --runroot="$MOBZ_BUILDAH_ROOT/run" --storage-driver=vfs "$@"
  else
    "$MOBZ_ENGINE" "$@"
  fi
}

# engine_build ARGS... : `docker build`, `podman build`, or `buildah bud` with chroot isolation. buildah keeps no
# intermediate layers: on vfs every layer is a full copy of the root file system (gigabytes per Dockerfile).
engine_build() {
  if [[ "$MOBZ_ENGINE" == buildah ]]; then engine bud --isolation chroot --layers=false "$@"; else engine build "$@"; fi
}

# engine_has_image NAME : whether the image is in the engine's local storage.
engine_has_image() {
  case "$MOBZ_ENGINE" in
    docker) docker image inspect "$1" >/dev/null 2>&1 ;;
    podman) podman image exists "$1" ;;
    buildah) engine inspect --type image "$1" >/dev/null 2>&1 ;;
  esac
}
