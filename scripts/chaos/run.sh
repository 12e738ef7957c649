#!/usr/bin/env bash
# make chaos: the fault scenarios (each against its own private redis-server) and the wire-format
# fuzzer, with the release binaries. Settings: see docs/reliability.md (CHAOS_SEED, CHAOS_FUZZ_SECONDS, ...).
set -euo pipefail
cd "$(dirname "$0")/../.."

for tool in redis-server python3 swiftc; do
  command -v "$tool" >/dev/null || { echo "chaos: $tool is not installed" >&2; exit 1; }
done
export JOBQ_BIN_DIR=${JOBQ_BIN_DIR:-$(swift build -c release --show-bin-path)}
for binary in example-worker jobq ingest-worker; do
  [ -x "$JOBQ_BIN_DIR/$binary" ] || { echo "chaos: $JOBQ_BIN_DIR/$binary is missing (swift build -c release)" >&2; exit 1; }
done
export PYTHONDONTWRITEBYTECODE=1  # keep the source tree free of __pycache__
export CHAOS_DIR=${CHAOS_DIR:-$PWD/.build-chaos}
exec python3 scripts/chaos/chaos.py
