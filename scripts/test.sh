#!/usr/bin/env bash
# `make test`: installs prerequisites, starts a throwaway redis-server on a free loopback port, runs every
# test project (unit, conformance on both backends, interop with real browsers and peers), stops Redis,
# and prints one summary line: "Total: N passed, N failed, N skipped". A failed test fails the run: nothing is
# re-run, because a test that passes only on a second try is a bug to fix, not to hide.
# Extra arguments go to `dotnet test` (e.g. scripts/test.sh --filter "Category!=Interop").
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-prereqs.sh

results=artifacts/test-results
rm -rf "$results"; mkdir -p "$results"

port=$(scripts/free-port.sh)
redis_dir=$(mktemp -d)
redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir "$redis_dir" \
  --logfile "$redis_dir/redis.log" --daemonize no &
redis_pid=$!
cleanup() { kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; rm -rf "$redis_dir"; }
trap cleanup EXIT
for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
export MOBZ_TEST_REDIS="127.0.0.1:$port"
echo "test redis-server on $MOBZ_TEST_REDIS"

dotnet build MobZ.sln -c Release -nologo -v q -clp:NoSummary
# The build already fails on a code-style rule (EnforceCodeStyleInBuild); this is the whitespace half.
scripts/check-format.sh

# Unit and conformance suites run side by side; the interop suites (real browsers and peers exchanging
# media) run one project at a time, because on two cores they would only measure each other.
status=0
if [[ $# -gt 0 ]]; then
  dotnet test MobZ.sln -c Release --no-build -nologo \
    --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@" || status=$?
else
  # Tests marked Budget=Long (building the whole-stack container image: 8-14 minutes on two cores) would take
  # `make test` past its time budget: `make test-images` runs them.
  dotnet test MobZ.sln -c Release --no-build -nologo --filter "Category!=Interop&Budget!=Long" \
    --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" || status=$?
  dotnet test MobZ.sln -c Release --no-build -nologo --filter "Category=Interop&Budget!=Long" -m:1 \
    --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" || status=$?
fi

# Sums the counters of the .trx files in a folder: sets passed, failed, skipped.
count() {
  passed=0; failed=0; skipped=0
  local trx counters t p f e
  for trx in "$1"/*.trx; do
    [[ -f "$trx" ]] || continue
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
  done
}

count "$results"

# The failed tests' names and reasons, again at the end: CI keeps only the tail of a run's output.
if [[ $failed -gt 0 ]]; then
  echo
  echo "Failed tests:"
  scripts/failed-tests.py "$results" || true
fi

echo
echo "Total: $passed passed, $failed failed, $skipped skipped"
if [[ $status -ne 0 && $failed -eq 0 ]]; then echo "dotnet test exited with $status"; fi
exit $status
