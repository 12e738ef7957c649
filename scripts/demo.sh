#!/usr/bin/env bash
# The main job, end to end on this machine: installs what is missing, starts a private Redis
# unless JOBQ_REDIS_URL is set, builds, enqueues ingestion of the sample documents in
# Examples/knowledge-base, supervises a capped on-demand worker until the queue drains, shows
# jobq stats, and leaves nothing running.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n==> %s\n' "$*"; }
# Indents each line as soon as it arrives (bash builtins write at once; sed or awk would hold lines
# back in a buffer when the output is a file, and print the supervisor's lines out of order).
indent() { local line; while IFS= read -r line || [ -n "$line" ]; do printf '    %s\n' "$line"; done; }

need=()
command -v redis-server >/dev/null || need+=(redis-server)
pkg-config --exists hiredis 2>/dev/null || need+=(libhiredis-dev pkg-config)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]} (apt-get)"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

supervisor=
builder=
cleanup() {
  if [ -n "$builder" ]; then kill -TERM "$builder" 2>/dev/null || true; fi
  if [ -n "$supervisor" ] && kill -0 "$supervisor" 2>/dev/null; then
    kill -TERM "$supervisor" 2>/dev/null || true
    wait "$supervisor" 2>/dev/null || true
  fi
  if [ -n "${PRIVATE_REDIS_DIR:-}" ]; then stop_private_redis; fi
}
trap cleanup EXIT

if [ -z "${JOBQ_REDIS_URL:-}" ]; then
  source scripts/lib/private-redis.sh
  start_private_redis
  export JOBQ_REDIS_URL="$PRIVATE_REDIS_URL"
  say "started a private Redis at $JOBQ_REDIS_URL (stopped when the demo ends)"
else
  say "using the Redis in JOBQ_REDIS_URL"
fi

say "building jobq and ingest-worker (a first build takes a few minutes)"
mkdir -p .build
build_log="$PWD/.build/demo-build.log"
echo "    full log: $build_log"
build() { swift build --product jobq && swift build --product ingest-worker; }
started=$SECONDS
build >"$build_log" 2>&1 &
builder=$!
if [ -t 1 ]; then
  # On a terminal: one line, redrawn with the compiler's [step/steps] and the time so far.
  while kill -0 "$builder" 2>/dev/null; do
    step=$(grep -Eo '^\[[0-9]+/[0-9]+\]' "$build_log" | tail -n 1 || true)
    printf '\r    building %s %ss ' "${step:-...}" $((SECONDS - started))
    sleep 1
  done
  printf '\r\033[K'
fi
build_status=0
wait "$builder" || build_status=$?
builder=
if [ "$build_status" -ne 0 ]; then
  echo "    the build failed (exit status $build_status) after $((SECONDS - started))s; the last 25 lines of $build_log:"
  tail -n 25 "$build_log" | indent
  exit 1
fi
echo "    built in $((SECONDS - started))s"
BIN=$(swift build --show-bin-path)
QUEUE="demo-$$"
KB="demo$$"
DOCS="$PWD/Examples/knowledge-base"
metrics=
sample() { metrics=$("$BIN/jobq" stats "$QUEUE" --prometheus); }
stat() { awk -v m="$1" '$1 ~ "^" m "[{]" { print $2 }' <<<"$metrics"; }

say "enqueueing: ingest every document of $DOCS (one ingest.dir job fans out to ingest.file jobs),"
echo "    and one file that does not exist, to show a dead letter"
"$BIN/jobq" enqueue "$QUEUE" --type ingest.dir "{\"path\": \"$DOCS\", \"kb\": \"$KB\"}" | indent
"$BIN/jobq" enqueue "$QUEUE" --type ingest.file "{\"path\": \"$DOCS/missing.md\", \"kb\": \"$KB\"}" | indent

say "supervising: one worker at a time, only while there is work, capped at 50% CPU and 256M"
cgroup_flag=()
if [ "$(id -u)" -ne 0 ]; then
  cgroup_flag=(--no-cgroup)
  echo "    (not root: running without cgroup caps; under systemd the unit gives the supervisor its cgroup)"
fi
# --max-load is raised because the build above just loaded this machine; the default 1.5 per CPU
# would (rightly) defer the launch until the load falls.
"$BIN/jobq" supervise "$QUEUE" "${cgroup_flag[@]}" --cpu 50% --memory 256M --max-crashes 3 --tick 200ms \
  --max-load 50 --max-cpu-pressure 100 --min-available 50M \
  -- "$BIN/ingest-worker" --queue "$QUEUE" --idle-exit 2s > >(indent) 2>&1 &
supervisor=$!   # the supervisor itself (its output goes through indent by process substitution)

deadline=$((SECONDS + 120))
while true; do
  sample
  waiting=$(stat jobq_waiting_jobs); active=$(stat jobq_active_jobs); delayed=$(stat jobq_delayed_jobs)
  processed=$(stat jobq_processed_total); dead=$(stat jobq_dead_jobs)
  printf '    waiting %s, running %s, delayed %s, done %s, dead letters %s\n' "$waiting" "$active" "$delayed" "$processed" "$dead"
  if [ "$waiting" = 0 ] && [ "$active" = 0 ] && [ "$delayed" = 0 ] && [ "${processed:-0}" -gt 0 ]; then break; fi
  if [ $SECONDS -ge $deadline ]; then echo "    the queue did not drain within 2 minutes; see the stats below"; break; fi
  sleep 1
done
say "the queue is drained; the worker exits after 2s idle and the supervisor goes back to sleep"
sleep 3
kill -TERM "$supervisor" 2>/dev/null || true
wait "$supervisor" 2>/dev/null || true
supervisor=

say "jobq stats $QUEUE"
"$BIN/jobq" stats "$QUEUE" | indent
say "jobq dead $QUEUE"
"$BIN/jobq" dead "$QUEUE" | indent
say "what was stored: documents and chunks of knowledge base $KB"
if command -v redis-cli >/dev/null; then
  for id in $(redis-cli -u "$JOBQ_REDIS_URL" ZRANGE "ingest:{$KB}:docs" 0 -1); do
    redis-cli -u "$JOBQ_REDIS_URL" HMGET "ingest:{$KB}:doc:$id" title chunk_count path | paste -sd '|' | awk -F'|' '{ printf "    %s: \"%s\", %s chunk(s)\n", $3, $1, $2 }'
  done
fi

say "done; nothing is left running. Next: README.md (the tour), docs/operations.md (the runbook),"
echo "    docs/deploying.md (systemd), jobq diagnose (this machine checked like an operator would)"
