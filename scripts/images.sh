#!/usr/bin/env bash
# `make images`: builds the container images from docker/ with the engine scripts/container-engine.sh picks.
#   scripts/images.sh [munit] [localstack]   (default: both)
#     munit       docker/Dockerfile.munit      -> $MOBZ_MUNIT_IMAGE (default mobz-munit:latest)
#     localstack  docker/Dockerfile.localstack -> $MOBZ_LOCAL_IMAGE (default mobz-local:latest)
# Base images (the Dockerfiles' SDK_IMAGE and RUNTIME_IMAGE):
#   MOBZ_SDK_IMAGE / MOBZ_RUNTIME_IMAGE when set; else the Dockerfiles' registry defaults when the engine has or can
#   pull them; else (or with MOBZ_BASE=local) a local one made here: the Debian root of scripts/debian-root.sh with
#   this machine's .NET 10 SDK and CA certificates, kept in the engine's storage as localhost/mobz-base/dotnet:<sdk
#   version> (and the Debian root under artifacts/), so a second run starts building at once.
# NuGet: MOBZ_NUGET_CONFIG (default ~/.nuget/NuGet/NuGet.Config, when it exists) is passed as the build secret `nuget`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/container-engine.sh

targets=("$@"); ((${#targets[@]})) || targets=(munit localstack)
for t in "${targets[@]}"; do
  case "$t" in munit|localstack) ;; *) echo "images.sh: unknown image '$t' (munit, localstack)" >&2; exit 2 ;; esac
done

# The Dockerfiles' own defaults, read from them so there is one place that names them.
default_arg() { sed -n "s/^ARG $1=//p" docker/Dockerfile.munit; }
sdk_image=${MOBZ_SDK_IMAGE:-} runtime_image=${MOBZ_RUNTIME_IMAGE:-}

# The local stand-in for both .NET images: Debian + the SDK (the SDK holds the ASP.NET runtime as well).
local_base() {
  local sdk dotnet_root tag
  sdk=$(dotnet --list-sdks | awk '/^10\./ { v = $1; p = $2 } END { if (v) print v, p }')
  [[ -n "$sdk" ]] || { echo "images.sh: no .NET 10 SDK on this machine to make the local base image from" >&2; return 1; }
  dotnet_root=$(dirname "$(tr -d '[]' <<<"${sdk#* }")")
  tag="localhost/mobz-base/dotnet:${sdk%% *}"
  mkdir -p artifacts
  exec 8>artifacts/base-image.lock
  flock 8
  if ! engine_has_image "$tag"; then
    echo "images.sh: making the base image $tag (Debian bookworm + .NET SDK ${sdk%% *})" >&2
    local tar; tar=$(scripts/debian-root.sh)
    local envs=(DOTNET_ROOT=/usr/share/dotnet DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1) e config=() changes=()
    for e in "${envs[@]}"; do config+=(--env "$e"); changes+=(--change "ENV $e"); done
    if [[ "$MOBZ_ENGINE" == buildah ]]; then
      local c root
      c=$(engine from -q scratch)
      root=$(engine mount "$c")
      tar -C "$root" -xf "$tar"
      mkdir -p "$root/usr/share"
      cp -a "$dotnet_root" "$root/usr/share/dotnet"
      ln -sf /usr/share/dotnet/dotnet "$root/usr/bin/dotnet"
      # This machine's CA bundle, so the restore reaches the NuGet feed this machine reaches (a proxy's own CA).
      cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
      engine config "${config[@]}" "$c"
      engine commit -q --rm "$c" "$tag" >/dev/null
    else
      local dir; dir=$(mktemp -d -p artifacts)
      tar -C "$dir" -xf "$tar"
      mkdir -p "$dir/usr/share"
      cp -a "$dotnet_root" "$dir/usr/share/dotnet"
      ln -sf /usr/share/dotnet/dotnet "$dir/usr/bin/dotnet"
      cp /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/ca-certificates.crt"
      tar -C "$dir" -c . | engine import "${changes[@]}" - "$tag" >/dev/null
      rm -rf "$dir"
    fi
  fi
  flock -u 8
  echo "$tag"
}

if [[ -z "$sdk_image" || -z "$runtime_image" ]]; then
  reachable=0
  if [[ "${MOBZ_BASE:-}" != local ]]; then
    reachable=1
    for image in "$(default_arg SDK_IMAGE)" "$(default_arg RUNTIME_IMAGE)"; do
      engine_has_image "$image" || engine pull -q "$image" >/dev/null 2>&1 || { reachable=0; break; }
    done
    ((reachable)) || echo "images.sh: the registry base images cannot be pulled; using a local base image" >&2
  fi
  if ((reachable)); then
    sdk_image=${sdk_image:-$(default_arg SDK_IMAGE)} runtime_image=${runtime_image:-$(default_arg RUNTIME_IMAGE)}
  else
    base=$(local_base)
    sdk_image=${sdk_image:-$base} runtime_image=${runtime_image:-$base}
  fi
fi

secret=()
nuget=${MOBZ_NUGET_CONFIG:-$HOME/.nuget/NuGet/NuGet.Config}
[[ -f "$nuget" ]] && secret=(--secret "id=nuget,src=$nuget")

for t in "${targets[@]}"; do
  case "$t" in
    munit) file=docker/Dockerfile.munit image=${MOBZ_MUNIT_IMAGE:-mobz-munit:latest} ;;
    localstack) file=docker/Dockerfile.localstack image=${MOBZ_LOCAL_IMAGE:-mobz-local:latest} ;;
  esac
  echo "== $image ($file, $MOBZ_ENGINE, base $sdk_image)"
  start=$SECONDS
  engine_build -f "$file" --build-arg "SDK_IMAGE=$sdk_image" --build-arg "RUNTIME_IMAGE=$runtime_image" \
    "${secret[@]}" -t "$image" .
  echo "== $image built in $((SECONDS - start)) s"
done
