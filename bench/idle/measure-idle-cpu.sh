#!/usr/bin/env bash
# Idle CPU of a Munit host with no stations: starts a throwaway redis-server and the host, lets it settle,
# then reads the process's utime+stime from /proc/<pid>/stat over a window and prints ms of CPU per second,
# with the per-thread split (the threads that woke up) and the load average of the (shared) machine.
# Usage: bench/idle/measure-idle-cpu.sh [host-dir (default: src/MunitHost/bin/Release/net10.0)] [settle s] [window s]
set -euo pipefail
dir=${1:-src/MunitHost/bin/Release/net10.0}
settle=${2:-10}
window=${3:-30}
hz=$(getconf CLK_TCK)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
redis_port=$(free_port)
http_port=$(free_port)
work=$(mktemp -d)
redis-server --port "$redis_port" --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
redis_pid=$!
host_pid=
cleanup() { [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null; kill "$redis_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.1; done

MOBZ_REDIS="127.0.0.1:$redis_port" MOBZ_REDIS_PREFIX="idle-$$:" MUNIT_UDP_PORT=0 MUNIT_TCP_PORT=0 MUNIT_HTTP_PORT="$http_port" \
  MUNIT_BIND_ADDRESS=127.0.0.1 MUNIT_PUBLIC_IP=127.0.0.1 MUNIT_ID="idle-$$" \
  dotnet "$dir/MobZ.MunitHost.dll" >"$work/host.log" 2>&1 &
host_pid=$!
until curl -fs "http://127.0.0.1:$http_port/healthz" >/dev/null 2>&1; do
  kill -0 "$host_pid" 2>/dev/null || { cat "$work/host.log" >&2; exit 1; }
  sleep 0.2
done
sleep "$settle"

cpu() { awk '{print $14+$15}' "/proc/$host_pid/stat"; }
threads() { for t in /proc/$host_pid/task/*; do printf '%s %s %s\n' "${t##*/}" "$(tr -d ' \n' <"$t/comm")" "$(awk '{print $14+$15}' "$t/stat")"; done 2>/dev/null | sort; }
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
threads >"$work/t0"
c0=$(cpu); t0=$(date +%s.%N)
sleep "$window"
c1=$(cpu); t1=$(date +%s.%N)
threads >"$work/t1"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

awk -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" -v lb="$load_before" -v la="$load_after" 'BEGIN {
  printf "idle cpu: %.1f ms/s over %.1f s (load avg before: %s, after: %s)\n", (c1-c0)*1000/hz/(t1-t0), t1-t0, lb, la }'
# Threads that used CPU in the window, busiest first.
join <(sort "$work/t0") <(sort "$work/t1") | awk -v hz="$hz" -v w="$window" '$5-$3>0 { printf "  %-20s %6.1f ms/s\n", $2, ($5-$3)*1000/hz/w }' | sort -k2 -nr | head -12
