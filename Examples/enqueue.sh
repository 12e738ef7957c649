#!/usr/bin/env bash
# Enqueue every file of a directory for ingestion, with the jobq command-line tool.
#
#   JOBQ_REDIS_URL=redis://127.0.0.1:6379/0 Examples/enqueue.sh ingest /srv/kb [KB]
#
# Each regular file under DIR (recursively; names starting with "." are skipped) becomes one
# `ingest.file` job with payload {"path": "/abs/path", "kb": "KB"} (KB defaults to "default").
# Each job carries the unique key ingest.file:KB:PATH, the key an `ingest.dir` job uses too: while
# a file's job is waiting, delayed or running, running this script again does not queue it twice.
# Prints one line per file (the job id, or the id of the job already holding the file) and a total.
#
# Redis comes from JOBQ_REDIS_URL (default redis://127.0.0.1:6379/0); jobq also reads
# JOBQ_REDIS_PASSWORD_FILE. JOBQ names the jobq binary (default: jobq on PATH).
# For thousands of files, one `ingest.dir` job is faster: jobq enqueue QUEUE '{"path": DIR}' --type ingest.dir
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 QUEUE DIR [KB]" >&2
  exit 64
fi
queue=$1
kb=${3:-default}
[ -d "$2" ] || { echo "enqueue.sh: $2 is not a directory" >&2; exit 1; }
dir=$(cd "$2" && pwd -P)
jobq=${JOBQ:-jobq}
export JOBQ_REDIS_URL=${JOBQ_REDIS_URL:-redis://127.0.0.1:6379/0}

# A JSON string for text without control characters.
json_string() {
  local text=${1//\\/\\\\}
  printf '"%s"' "${text//\"/\\\"}"
}

# Unique keys may have at most 200 bytes; longer ones name the path by its SHA-256.
unique_key() {
  local key="ingest.file:$kb:$1"
  if [ "$(printf '%s' "$key" | wc -c)" -gt 200 ]; then
    key="ingest.file:$kb:sha256:$(printf '%s' "$1" | sha256sum | cut -d' ' -f1)"
  fi
  printf '%s' "$key"
}

errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
queued=0 held=0 skipped=0 failed=0
while IFS= read -r -d '' path; do
  case $path in
    *[[:cntrl:]]*)
      printf 'enqueue.sh: skipped a file whose name holds a control character: %q\n' "$path" >&2
      skipped=$((skipped + 1))
      continue ;;
  esac
  payload="{\"path\": $(json_string "$path"), \"kb\": $(json_string "$kb")}"
  # Exit status 5: refused, the unique key is held; stderr names the job that holds it.
  id=$("$jobq" enqueue "$queue" "$payload" --type ingest.file --unique "$(unique_key "$path")" 2>"$errors") && status=0 || status=$?
  case $status in
    0)
      echo "$id $path"
      queued=$((queued + 1)) ;;
    5)
      echo "$(sed -n 's/.* is held by job \(.*\); not enqueued$/\1/p' "$errors") $path (already queued)"
      held=$((held + 1)) ;;
    *)
      echo "enqueue.sh: $path was not enqueued: $(cat "$errors")" >&2
      failed=$((failed + 1)) ;;
  esac
done < <(find "$dir" -mindepth 1 -name '.*' -prune -o -type f -print0 | sort -z)

echo "enqueued $queued, already queued $held, skipped $skipped, failed $failed (queue $queue, from $dir)"
[ "$failed" -eq 0 ]
