#!/usr/bin/env bash
# make bench: starts a private Redis, prepares the peers' Python virtual environment under the
# scratch directory, and runs every measurement against that one Redis (scripts/bench/bench.py).
# Settings: see docs/benchmarks.md (BENCH_N, BENCH_RUNS, BENCH_IDLE_SECONDS, ...).
set -euo pipefail
cd "$(dirname "$0")/../.."

for tool in redis-server redis-cli redis-benchmark python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is not installed (apt-get install redis-server redis-tools python3-venv)" >&2; exit 1; }
done

export PYTHONDONTWRITEBYTECODE=1  # keep the source tree free of __pycache__
export BENCH_DIR=${BENCH_DIR:-$PWD/.build-bench}
export JOBQ_BIN_DIR=${JOBQ_BIN_DIR:-$(swift build -c release --show-bin-path)}
for binary in jobq ingest-worker; do
  [ -x "$JOBQ_BIN_DIR/$binary" ] || { echo "bench: $JOBQ_BIN_DIR/$binary is missing (swift build -c release)" >&2; exit 1; }
done

mkdir -p "$BENCH_DIR"
# One virtual environment per peer (they need different redis-py versions) and one for the harness,
# each rebuilt only when its pinned requirements change.
for requirements in scripts/bench/requirements/*.txt; do
  name=$(basename "$requirements" .txt)
  venv="$BENCH_DIR/venv-$name"
  if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
    echo "bench: installing $name into $venv (pip)" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
  fi
done

source scripts/lib/private-redis.sh
start_private_redis --maxmemory-policy noeviction
trap stop_private_redis EXIT
export BENCH_REDIS_URL="$PRIVATE_REDIS_URL" BENCH_REDIS_PORT="$PRIVATE_REDIS_PORT"
echo "bench: private Redis at $BENCH_REDIS_URL, binaries from $JOBQ_BIN_DIR" >&2
"$BENCH_DIR/venv-harness/bin/python" scripts/bench/bench.py
