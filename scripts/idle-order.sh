#!/usr/bin/env bash
# Regenerates packaging/link/idle-order.txt, the order in which the release jobq and ingest-worker
# are linked (Package.swift): the functions an idle worker and an idle supervisor run come first,
# side by side, so that they occupy a few MiB of the binary's code instead of pages spread over all
# of its 18 MiB (the kernel maps a file's pages in blocks around each one a process touches).
#   scripts/idle-order.sh [ROUNDS]
# It starts from the current list. Each round links both binaries with the current order, runs an idle worker and an idle supervisor
# against a private Redis with scripts/lib/page-trace.c preloaded (it records the first address run
# on each page of code) and adds the functions found. A function that is not listed is only placed
# elsewhere: a stale list costs memory, never correctness; scripts/footprint.sh shows when to rerun
# this (after changes to what the worker or supervisor do at start or while idle). Needs cc, nm,
# python3 and lld. SWIFT_BUILD_FLAGS passes options to swift build, as for scripts/footprint.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-6}
seconds=15   # long enough for the supervisor's idle ticks and the worker's heartbeats to run
order=packaging/link/idle-order.txt

read -ra swift_flags <<<"${SWIFT_BUILD_FLAGS:-}"
swift_flags+=(-c release --static-swift-stdlib)
built=$(swift build "${swift_flags[@]}" --show-bin-path)

source scripts/lib/private-redis.sh
private_scratch jobq-idle-order
cc -shared -fPIC -O2 -o "$work/page-trace.so" scripts/lib/page-trace.c
start_private_redis
export JOBQ_REDIS_URL="$PRIVATE_REDIS_URL" SWIFT_BACKTRACE=enable=no

link() {  # the order file is no input swift build knows of: remove the binaries to relink them
  rm -f "$built/jobq" "$built/ingest-worker"
  swift build "${swift_flags[@]}" --product jobq >/dev/null
  swift build "${swift_flags[@]}" --product ingest-worker >/dev/null
}

cp "$order" "$work/list"   # what earlier runs found stays listed while the binaries define it
for ((round = 1; round <= rounds; round++)); do
  link
  rm -f "$work"/pages.*
  PAGE_TRACE_DIR=$work LD_PRELOAD=$work/page-trace.so "$built/ingest-worker" --queue idle-order-worker 2>/dev/null &
  pids=($!)
  PAGE_TRACE_DIR=$work LD_PRELOAD=$work/page-trace.so "$built/jobq" supervise idle-order-supervisor --no-cgroup \
    -- "$built/ingest-worker" --queue idle-order-supervisor 2>/dev/null &
  pids+=($!)
  sleep "$seconds"
  kill "${pids[@]}"
  wait "${pids[@]}" 2>/dev/null || true
  python3 scripts/lib/idle_order.py "$work/list" "$order" \
    "$built/ingest-worker" "$work/pages.${pids[0]}" "$built/jobq" "$work/pages.${pids[1]}"
  pids=()
done
# Only what surely runs: the functions that may run next to it would spread it out again.
cp "$work/list" "$order"
link
echo "idle-order: wrote $order ($(wc -l <"$order") functions); measure with scripts/footprint.sh"
