#!/usr/bin/env bash
# The layout half of the house style: fails, naming each place, when a C# file under the folder (default: the
# repository) is not laid out as CSharpier lays it out (max_line_length in .editorconfig), or when a comment runs
# past that width (CSharpier leaves comments alone). The code-style rules are enforced by the build itself
# (EnforceCodeStyleInBuild). Fix with: scripts/check-format.sh --fix (comments you rewrap yourself).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
fix=false
if [[ "${1:-}" == "--fix" ]]; then fix=true; shift; fi
folder="$(cd "${1:-$root}" && pwd)"
(cd "$root" && dotnet tool restore > /dev/null)
csharpier() { (cd "$root" && dotnet csharpier "$@"); }
if $fix; then
  csharpier format "$folder"
else
  csharpier check "$folder"
fi
python3 "$root/scripts/check-line-length.py" "$folder"
