#!/usr/bin/env bash
# Measures what an idle worker and an idle supervisor cost, against a private Redis: CPU share (of one
# core) over a window (default 30 s), then resident memory from /proc/<pid>/smaps_rollup and threads.
#   scripts/footprint.sh [SECONDS]
# It measures the binaries as the Debian package ships them: release, the Swift runtime linked in
# (--static-swift-stdlib), stripped. SWIFT_BUILD_FLAGS passes options to swift build (e.g.
# SWIFT_BUILD_FLAGS="--scratch-path .build-other"); JOBQ_BIN_DIR=DIR measures the jobq and
# ingest-worker in DIR instead of building them.
#
# Memory columns:
#   RSS      every page the process has resident, shared or not (what ps and top show).
#   PSS      each page divided by the number of processes mapping it.
#   private  pages no other process maps now (Private_Clean + Private_Dirty). The binary's clean
#            pages count here while it is the only process of that binary; a second one shares them.
#   dirty    Private_Dirty: heap, stacks, written data; what each further process costs the host.
set -euo pipefail
cd "$(dirname "$0")/.."
window=${1:-30}

if [ -n "${JOBQ_BIN_DIR:-}" ]; then
  built=$JOBQ_BIN_DIR
else
  read -ra swift_flags <<<"${SWIFT_BUILD_FLAGS:-}"
  swift_flags+=(-c release --static-swift-stdlib)
  swift build "${swift_flags[@]}" --product jobq >/dev/null
  swift build "${swift_flags[@]}" --product ingest-worker >/dev/null
  built=$(swift build "${swift_flags[@]}" --show-bin-path)
fi

source scripts/lib/private-redis.sh
private_scratch jobq-footprint
for product in jobq ingest-worker; do
  install -m 0755 "$built/$product" "$work/$product"
  strip --strip-unneeded --remove-section=.comment --remove-section=.note "$work/$product"
done
# Pages of a file just written are dirty in the page cache and would count as the process's own.
sync "$work/jobq" "$work/ingest-worker"
bin=$work

start_private_redis
export JOBQ_REDIS_URL="$PRIVATE_REDIS_URL"

ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat"; }   # utime stime cutime cstime
hz=$(getconf CLK_TCK)

measure() {  # name pid
  local name=$1 pid=$2 before after
  sleep 2   # let it settle into waiting
  before=$(ticks "$pid")
  sleep "$window"
  after=$(ticks "$pid")
  awk -v n="$name" -v d=$((after - before)) -v hz="$hz" -v w="$window" \
    'BEGIN { printf "%-20s CPU %.3f %% of one core over %d s (%d ticks at %d Hz)\n", n, 100 * d / hz / w, w, d, hz }'
  awk -v threads="$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")" '
    /^Rss:/ { rss = $2 } /^Pss:/ { pss = $2 } /^Private_Clean:/ { clean = $2 } /^Private_Dirty:/ { dirty = $2 }
    END { printf "%-20s RSS %.1f MiB   PSS %.1f MiB   private %.1f MiB (dirty %.1f MiB)   %d threads\n",
                 "", rss / 1024, pss / 1024, (clean + dirty) / 1024, dirty / 1024, threads }' "/proc/$pid/smaps_rollup"
}

"$bin/ingest-worker" --queue footprint-worker 2>/dev/null &
pids+=($!)
measure "idle ingest-worker" "${pids[-1]}"

"$bin/jobq" supervise footprint-supervisor --no-cgroup -- "$bin/ingest-worker" --queue footprint-supervisor --idle-exit 5s 2>/dev/null &
pids+=($!)
measure "idle jobq supervise" "${pids[-1]}"
