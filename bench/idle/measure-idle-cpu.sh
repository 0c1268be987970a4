#!/usr/bin/env bash
# Idle CPU of an SFU with nothing to forward: starts it, lets it settle, then reads the process's utime+stime from
# /proc/<pid>/stat over a window and prints ms of CPU per second, with the per-thread split (the threads that woke
# up) and the load average of the (shared) machine.
#   bench/idle/measure-idle-cpu.sh [munit [host-dir]] [settle s] [window s]  -> a Munit host (throwaway redis-server,
#        no stations; host-dir default src/MunitHost/bin/Release/net10.0)
#   bench/idle/measure-idle-cpu.sh janus [settle s] [window s]              -> Debian's Janus (apt-get install janus)
#        as an SFU: the videoroom plugin and the HTTP transport only, bound to 127.0.0.1, from a copy of /etc/janus
# Run both in the same period and compare them as a ratio (bench/RESULTS.md, "Idle Munit CPU").
set -euo pipefail
target=munit dir=src/MunitHost/bin/Release/net10.0
case "${1:-}" in
  janus) target=janus; shift ;;
  munit) shift; if [[ -n "${1:-}" && ! "$1" =~ ^[0-9]+$ ]]; then dir=$1; shift; fi ;;
  "" | [0-9]*) ;;
  *) dir=$1; shift ;;
esac
settle=${1:-10}
window=${2:-30}
hz=$(getconf CLK_TCK)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

wait_http() { # url pid log
  until curl -fs "$1" >/dev/null 2>&1; do
    kill -0 "$2" 2>/dev/null || { cat "$3" >&2; exit 1; }
    sleep 0.2
  done
}

if [[ $target == janus ]]; then
  command -v janus >/dev/null || { echo "janus is not installed (apt-get install janus)" >&2; exit 2; }
  cp -r /etc/janus "$work/conf"
  plugins=$(cd /usr/lib/x86_64-linux-gnu/janus/plugins && ls libjanus_*.so | grep -v videoroom | paste -sd, -)
  transports=$(cd /usr/lib/x86_64-linux-gnu/janus/transports && ls libjanus_*.so | grep -v 'libjanus_http.so' | paste -sd, -)
  events=$(cd /usr/lib/x86_64-linux-gnu/janus/events && ls libjanus_*.so | paste -sd, -)
  sed -i -e "s|^\s*#disable = \"libjanus_voicemail.so,libjanus_recordplay.so\"|\tdisable = \"$plugins\"|" \
         -e "s|^\s*#disable = \"libjanus_rabbitmq.so\"|\tdisable = \"$transports\"|" \
         -e "s|^\s*#disable = \"libjanus_sampleevh.so\"|\tdisable = \"$events\"|" "$work/conf/janus.jcfg"
  sed -i -e "s|^\s*port = 8088.*|\tport = $http_port|" -e "s|^\s*#ip = \"192.168.0.1\".*|\tip = \"127.0.0.1\"|" "$work/conf/janus.transport.http.jcfg"
  janus -F "$work/conf" -L "$work/janus.log" >"$work/host.log" 2>&1 &
  pid=$!; pids+=("$pid")
  wait_http "http://127.0.0.1:$http_port/janus/info" "$pid" "$work/host.log"
else
  redis_port=$(free_port)
  redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
  pids+=($!)
  until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.1; done
  MOBZ_REDIS="127.0.0.1:$redis_port" MOBZ_REDIS_PREFIX="idle-$$:" MUNIT_UDP_PORT=0 MUNIT_TCP_PORT=0 MUNIT_HTTP_PORT="$http_port" \
    MUNIT_BIND_ADDRESS=127.0.0.1 MUNIT_PUBLIC_IP=127.0.0.1 MUNIT_ID="idle-$$" \
    dotnet "$dir/MobZ.MunitHost.dll" >"$work/host.log" 2>&1 &
  pid=$!; pids+=("$pid")
  wait_http "http://127.0.0.1:$http_port/healthz" "$pid" "$work/host.log"
fi
sleep "$settle"

cpu() { awk '{print $14+$15}' "/proc/$pid/stat"; }
# Nanoseconds on CPU and context switches (each one a wake-up or a preemption) of the threads alive now: finer than
# the 10 ms ticks of /proc/<pid>/stat, but blind to a thread that ends inside the window.
live() { cat /proc/$pid/task/*/schedstat 2>/dev/null | awk '{ns+=$1} END {printf "%d ", ns}'
         cat /proc/$pid/task/*/status 2>/dev/null | awk '/ctxt_switches/ {n+=$2} END {print n}'; }
threads() { for t in /proc/$pid/task/*; do printf '%s %s %s\n' "${t##*/}" "$(tr -d ' \n' <"$t/comm")" "$(awk '{print $14+$15}' "$t/stat")"; done 2>/dev/null | sort; }
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
threads >"$work/t0"
read -r n0 x0 < <(live); c0=$(cpu); t0=$(date +%s.%N)
sleep "$window"
read -r n1 x1 < <(live); c1=$(cpu); t1=$(date +%s.%N)
threads >"$work/t1"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

awk -v who="$target" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" -v lb="$load_before" -v la="$load_after" \
    -v n0="$n0" -v n1="$n1" -v x0="$x0" -v x1="$x1" 'BEGIN {
  printf "%s idle cpu: %.1f ms/s over %.1f s (load avg before: %s, after: %s)\n", who, (c1-c0)*1000/hz/(t1-t0), t1-t0, lb, la
  printf "  live threads: %.2f ms/s on cpu, %.1f context switches/s\n", (n1-n0)/1e6/(t1-t0), (x1-x0)/(t1-t0) }'
# Threads that used CPU in the window, busiest first.
join <(sort "$work/t0") <(sort "$work/t1") | awk -v hz="$hz" -v w="$window" '$5-$3>0 { printf "  %-20s %6.1f ms/s\n", $2, ($5-$3)*1000/hz/w }' | sort -k2 -nr | head -12
