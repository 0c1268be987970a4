#!/usr/bin/env bash
# The whitespace half of the house style (.editorconfig): fails, naming each place, when a C# file under the
# folder (default: the repository) is not laid out as `dotnet format whitespace` would lay it out. The code-style
# rules are enforced by the build itself (EnforceCodeStyleInBuild). Fix with: scripts/check-format.sh --fix
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mode=(--verify-no-changes)
if [[ "${1:-}" == "--fix" ]]; then mode=(); shift; fi
folder="${1:-$root}"
dotnet format whitespace --folder "$folder" "${mode[@]}" -v q \
  --exclude '**/bin/**' '**/obj/**' '**/node_modules/**' '**/BenchmarkDotNet.Artifacts/**'
