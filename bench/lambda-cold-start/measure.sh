#!/usr/bin/env bash
# Lambda cold start, Native AOT against a self-contained JIT build of the same bootstrap (bench/RESULTS.md):
# publishes both for linux-x64, zips each as make deploy would, then runs cold_start.py on each: RUNS fresh
# processes against a Runtime API double, process start -> first response posted (a rooms $connect without a
# token, refused with 401). Prints the zip sizes, both summaries and the load average before and after.
#   bench/lambda-cold-start/measure.sh            (RUNS=10; SKIP_PUBLISH=1 reuses artifacts/lambda-cold-start)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${RUNS:-10}
out=artifacts/lambda-cold-start

if [[ "${SKIP_PUBLISH:-0}" != 1 ]]; then
  rm -rf "$out"; mkdir -p "$out"
  # What make deploy ships (scripts/deploy.sh): one native executable.
  dotnet publish src/Signaling.Lambda -c Release -r linux-x64 -o "$out/aot" -nologo -v q
  (cd "$out/aot" && zip -q ../aot.zip bootstrap)
  # What it shipped before: self-contained, JIT, the whole publish folder.
  dotnet publish src/Signaling.Lambda -c Release -r linux-x64 --self-contained -p:PublishAot=false -o "$out/jit" -nologo -v q
  (cd "$out/jit" && zip -qr ../jit.zip .)
fi

echo "load before: $(uptime)"
for build in aot jit; do
  echo "$build zip: $(stat -c %s "$out/$build.zip") bytes ($(numfmt --to=iec-i --suffix=B "$(stat -c %s "$out/$build.zip")")), unpacked $(du -sb "$out/$build" --exclude='*.dbg' --exclude='*.pdb' | cut -f1) bytes"
done
python3 bench/lambda-cold-start/cold_start.py --runs "$runs" --label aot -- "$out/aot/bootstrap"
python3 bench/lambda-cold-start/cold_start.py --runs "$runs" --label jit -- "$out/jit/bootstrap"
echo "load after: $(uptime)"
