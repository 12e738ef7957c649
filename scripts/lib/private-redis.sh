# Start and stop a private redis-server on a free loopback port. Source this file, then:
#   start_private_redis [extra redis-server options...]   sets PRIVATE_REDIS_URL, PRIVATE_REDIS_PORT
#   stop_private_redis
#   private_scratch NAME   a scratch directory $work and a list $pids of background processes: on
#                          exit the processes are killed, the private server stopped, $work removed
# The server keeps no data on disk and writes its pid file and socket under a private directory.

start_private_redis() {
  PRIVATE_REDIS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/jobq-redis.XXXXXX")
  local attempt port
  for attempt in $(seq 1 20); do
    port=$(( (RANDOM % 30000) + 20000 ))
    if redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
        --dir "$PRIVATE_REDIS_DIR" --pidfile "$PRIVATE_REDIS_DIR/redis.pid" \
        --daemonize yes --logfile "$PRIVATE_REDIS_DIR/redis.log" "$@" >/dev/null 2>&1; then
      local waited
      for waited in $(seq 1 100); do
        if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
          PRIVATE_REDIS_PORT=$port
          PRIVATE_REDIS_URL="redis://127.0.0.1:$port/0"
          export PRIVATE_REDIS_PORT PRIVATE_REDIS_URL PRIVATE_REDIS_DIR
          return 0
        fi
        sleep 0.05
      done
    fi
  done
  echo "could not start a private redis-server" >&2
  return 1
}

stop_private_redis() {
  if [ -n "${PRIVATE_REDIS_DIR:-}" ] && [ -f "$PRIVATE_REDIS_DIR/redis.pid" ]; then
    local pid
    pid=$(cat "$PRIVATE_REDIS_DIR/redis.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  [ -n "${PRIVATE_REDIS_DIR:-}" ] && rm -rf "$PRIVATE_REDIS_DIR"
  PRIVATE_REDIS_DIR=
}

private_scratch() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  pids=()
  trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; stop_private_redis; rm -rf "$work"' EXIT
}
