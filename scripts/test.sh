#!/usr/bin/env bash
# Runs the whole test suite. Uses the Redis named by JOBQ_TEST_REDIS_URL, or starts a private
# redis-server on a free loopback port for the run (no persistence) and stops it afterwards.
# Tests isolate themselves by queue name; nothing is flushed.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v redis-server >/dev/null || { echo "test.sh: redis-server is not installed (apt-get install redis-server)" >&2; exit 1; }
pkg-config --exists hiredis || { echo "test.sh: hiredis is not installed (apt-get install libhiredis-dev)" >&2; exit 1; }
command -v luacheck >/dev/null || { echo "test.sh: luacheck is not installed (apt-get install lua-check); the Lua scripts are linted by a test" >&2; exit 1; }

if [ -z "${JOBQ_TEST_REDIS_URL:-}" ]; then
  source scripts/lib/private-redis.sh
  start_private_redis
  trap stop_private_redis EXIT
  export JOBQ_TEST_REDIS_URL="$PRIVATE_REDIS_URL"
fi
echo "test.sh: testing against $JOBQ_TEST_REDIS_URL"
swift build --build-tests "$@"
swift test --skip-build "$@"
