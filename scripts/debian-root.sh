#!/usr/bin/env bash
# Prints the path of a Debian bookworm root file system as a tar (artifacts/debian-root.tar), making it first when
# absent: debootstrap minbase plus ca-certificates and libicu72 (which .NET needs), from the Debian archive this
# machine's apt uses. It is the base of the locally made .NET image (scripts/images.sh) and the "new machine" of
# the install test (tests/Infra.Tests). Made once; a lock keeps concurrent callers from building it twice.
set -euo pipefail
cd "$(dirname "$0")/.."
suite=bookworm
tar=$PWD/artifacts/debian-root.tar
mkdir -p artifacts
exec 9>artifacts/debian-root.lock
flock 9
if [[ ! -f "$tar" ]]; then
  # The archive URI of the first apt source that carries the suite (deb822 .sources, or one-line lists).
  mirror=$(
    { for f in /etc/apt/sources.list.d/*.sources; do [[ -f "$f" ]] && { grep -v '^[[:space:]]*#' "$f"; echo; }; done; } |
      awk -v suite="$suite" 'BEGIN{RS=""} { uri=""; ok=0
        for (i = 1; i <= NF; i++) { if ($i == "URIs:") uri = $(i+1); if ($i == "Suites:") for (j = i+1; j <= NF && $j !~ /:$/; j++) if ($j == suite) ok = 1 }
        if (uri != "" && ok) { print uri; exit } }'
  )
  if [[ -z "$mirror" && -f /etc/apt/sources.list ]]; then
    mirror=$(sed -E 's/\[[^]]*\]//' /etc/apt/sources.list | awk -v suite="$suite" '$1 == "deb" && $3 == suite { print $2; exit }')
  fi
  [[ -n "$mirror" ]] || { echo "debian-root.sh: no apt source for Debian $suite in /etc/apt" >&2; exit 1; }
  command -v debootstrap >/dev/null || { echo "debian-root.sh: debootstrap is not installed (scripts/install-prereqs.sh images)" >&2; exit 1; }
  build=artifacts/debian-root.build
  rm -rf "$build"
  debootstrap --variant=minbase --include=ca-certificates,libicu72 "$suite" "$build" "$mirror" >&2
  tar -C "$build" -cf "$tar.part" .
  mv "$tar.part" "$tar"
  rm -rf "$build"
fi
echo "$tar"
