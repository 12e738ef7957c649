#!/usr/bin/env bash
# The main job, end to end on this machine: installs what is missing, starts a private Redis unless
# JOBQ_REDIS_URL is set, builds, enqueues jobs, drains them with a worker, and shows the queue.
# Leaves nothing running.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n==> %s\n' "$*"; }

need=()
command -v redis-server >/dev/null || need+=(redis-server)
pkg-config --exists hiredis 2>/dev/null || need+=(libhiredis-dev pkg-config)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]} (apt-get)"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ -z "${JOBQ_REDIS_URL:-}" ]; then
  source scripts/lib/private-redis.sh
  start_private_redis
  trap stop_private_redis EXIT
  export JOBQ_REDIS_URL="$PRIVATE_REDIS_URL"
  say "started a private Redis at $JOBQ_REDIS_URL (stopped when the demo ends)"
else
  say "using Redis from JOBQ_REDIS_URL"
fi

say "building (the first build takes a few minutes)"
swift build --product jobq 2>&1 | grep -E "^(Build|Compiling|error)" | sed 's/^/    /' || true
swift build --product ingest-worker 2>&1 | grep -E "^(Build|error)" | sed 's/^/    /' || true
BIN=$(swift build --show-bin-path)
QUEUE="demo-$$"

say "enqueueing 20 jobs on queue $QUEUE, one of them of an unknown type"
for i in $(seq 1 19); do echo "{\"n\": $i}"; done | "$BIN/jobq" enqueue "$QUEUE" --type noop --jsonl - | tail -n 1 | sed 's/^/    last id: /'
"$BIN/jobq" enqueue "$QUEUE" --type no-such-type '{"n": 20}' | sed 's/^/    odd one: /'

say "draining with ingest-worker (exits after 2s idle)"
"$BIN/ingest-worker" --queue "$QUEUE" --idle-exit 2s 2>&1 | sed 's/^/    /'

say "dead letters (the unknown type is dead-lettered, not retried)"
"$BIN/jobq" dead "$QUEUE" | sed 's/^/    /'

say "done. Next: README.md (tour), docs/ (guarantees, wire format, keys)"
