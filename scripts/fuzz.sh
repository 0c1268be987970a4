#!/usr/bin/env bash
# `make fuzz`: coverage-guided fuzzing of MobZ's parsers (docs/fuzzing.md). Builds fuzz/MobZ.Fuzz, copies it to
# artifacts/fuzz/bin, instruments the product assemblies there with SharpFuzz, then runs every harness (or the
# ones named) under AFL++ for FUZZ_SECONDS each, starting from fuzz/corpus/<harness>. Prints each harness's
# stats; crashes are copied to artifacts/fuzz/<harness>/crashes and make the script exit 1.
#   scripts/fuzz.sh                       every harness, FUZZ_SECONDS (default 60) each
#   FUZZ_SECONDS=6 scripts/fuzz.sh rtp sdp
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
out=artifacts/fuzz
bin=$out/bin
# The product assemblies whose branches AFL++ sees; the harness itself and the framework are left alone.
instrumented=(MobZ.Rtc.dll MobZ.Hls.dll MobZ.Hls.Serving.dll MobZ.Signaling.dll MobZ.PixelStreaming.dll)

if ! command -v afl-fuzz >/dev/null; then
  echo "fuzz.sh: afl-fuzz not found: AFL++ is missing (scripts/install-prereqs.sh installs Debian's afl++)" >&2
  exit 2
fi
[[ $seconds =~ ^[0-9]+$ && $seconds -ge 1 ]] || { echo "fuzz.sh: FUZZ_SECONDS must be a whole number of seconds" >&2; exit 2; }

# SharpFuzz's instrumenter is a dotnet tool pinned in .config/dotnet-tools.json (local to this repository).
dotnet tool restore >/dev/null
mkdir -p "$out"
dotnet build fuzz/MobZ.Fuzz/MobZ.Fuzz.csproj -c Release -nologo -v q >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
rm -rf "$bin"
cp -r fuzz/MobZ.Fuzz/bin/Release/net10.0 "$bin"
for dll in "${instrumented[@]}"; do
  dotnet tool run sharpfuzz "$bin/$dll" >/dev/null
done

mapfile -t all < <(dotnet "$bin/MobZ.Fuzz.dll" --list)
harnesses=("$@"); ((${#harnesses[@]})) || harnesses=("${all[@]}")

# The machine's core dumps may go to a handler (AFL++ would refuse to start), its CPU governor is not ours to
# set, the dotnet host is not an AFL-compiled binary (SharpFuzz speaks the fork-server protocol itself), and
# other builds share the cores, so no core is pinned.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
# The runtime starts in ~0.2 s but a loaded machine may take longer before the first input.
export AFL_FORKSRV_INIT_TMOUT=60000
export DOTNET_TieredPGO=0 DOTNET_TieredCompilation=0

status=0
for h in "${harnesses[@]}"; do
  printf '%s\n' "${all[@]}" | grep -qx -- "$h" || { echo "fuzz.sh: unknown harness '$h' (${all[*]})" >&2; exit 2; }
  dir=$out/$h
  rm -rf "$dir"; mkdir -p "$dir"
  dicts=()
  [[ -f fuzz/dict/$h.dict ]] && dicts+=(-x "fuzz/dict/$h.dict")
  [[ $h == *-json ]] && dicts+=(-x fuzz/dict/json.dict)
  rc=0
  afl-fuzz -i "fuzz/corpus/$h" -o "$dir/afl" -V "$seconds" -t 5000 -m none "${dicts[@]}" \
    -- dotnet "$bin/MobZ.Fuzz.dll" "$h" >"$dir/afl-fuzz.log" 2>&1 || rc=$?
  stats=$dir/afl/default/fuzzer_stats
  if [[ $rc -ne 0 || ! -f $stats ]]; then
    echo "$h: afl-fuzz failed (exit $rc); last lines of $dir/afl-fuzz.log:"
    grep -v '^\s*$' "$dir/afl-fuzz.log" | tail -15 | sed 's/\x1b\[[0-9;]*m//g'
    status=1
    continue
  fi
  stat() { sed -n "s/^$1 *: *//p" "$stats"; }
  mkdir -p "$dir/crashes"
  find "$dir/afl/default/crashes" -type f -name 'id:*' -exec cp {} "$dir/crashes/" \;
  crashes=$(find "$dir/crashes" -type f | wc -l)
  hangs=$(find "$dir/afl/default/hangs" -type f -name 'id:*' | wc -l)
  printf '%-12s %6s execs in %4ss (%s/s), corpus %s, coverage %s, crashes %s, hangs %s\n' \
    "$h" "$(stat execs_done)" "$(stat run_time)" "$(stat execs_per_sec)" "$(stat corpus_count)" "$(stat bitmap_cvg)" "$crashes" "$hangs"
  if ((crashes)); then
    echo "  crashes in $dir/crashes; reproduce with: dotnet $bin/MobZ.Fuzz.dll $h $dir/crashes"
    status=1
  fi
done
exit $status
