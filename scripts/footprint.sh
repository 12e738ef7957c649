#!/usr/bin/env bash
# Measures what an idle worker and an idle supervisor cost: CPU share (of one core) and resident
# memory over a window (default 30 s), against a private Redis. Builds release binaries first.
#   scripts/footprint.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
window=${1:-30}

swift build -c release --product jobq >/dev/null
swift build -c release --product ingest-worker >/dev/null
bin=$(swift build -c release --show-bin-path)
source scripts/lib/private-redis.sh
start_private_redis
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; stop_private_redis; }
trap cleanup EXIT
export JOBQ_REDIS_URL="$PRIVATE_REDIS_URL"

ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat"; }   # utime stime cutime cstime
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
hz=$(getconf CLK_TCK)

measure() {  # name pid
  local name=$1 pid=$2 before after
  sleep 2   # let it settle into waiting
  before=$(ticks "$pid")
  sleep "$window"
  after=$(ticks "$pid")
  awk -v n="$name" -v d=$((after - before)) -v hz="$hz" -v w="$window" -v rss="$(rss_kib "$pid")" \
    'BEGIN { printf "%-22s CPU %.3f %% of one core over %d s (%d ticks at %d Hz)   RSS %.1f MiB\n", n, 100 * d / hz / w, w, d, hz, rss / 1024 }'
}

"$bin/ingest-worker" --queue footprint-worker 2>/dev/null &
pids+=($!)
measure "idle ingest-worker" "${pids[-1]}"

"$bin/jobq" supervise footprint-supervisor --no-cgroup -- "$bin/ingest-worker" --queue footprint-supervisor --idle-exit 5s 2>/dev/null &
pids+=($!)
measure "idle jobq supervise" "${pids[-1]}"
