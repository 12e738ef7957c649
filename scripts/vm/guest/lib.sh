# Helpers for the scenarios run inside the guest (sourced by main.sh).
OUT=/mnt/share/out
RESULTS=$OUT/results.txt
SHARE=/mnt/share
export JOBQ_REDIS_URL=redis://127.0.0.1:6379/0
export SYSTEMD_PAGER= SYSTEMD_COLORS=0

log() { echo "[$(date +%T) +$(cut -d' ' -f1 /proc/uptime)s] $*"; }

# A scenario: begin NAME; then check/figure lines; then finish.
begin() {
  SCENARIO=$1 PROBLEMS=() FIGURES=() SCENARIO_STARTED=$SECONDS
  log "=== $SCENARIO"
}
# check DESCRIPTION COMMAND...: a problem when the command fails.
check() {
  local what=$1
  shift
  if "$@"; then log "  ok: $what"; else PROBLEMS+=("$what"); log "  NOT OK: $what"; fi
}
problem() { PROBLEMS+=("$1"); log "  NOT OK: $1"; }
figure() { FIGURES+=("$1"); log "  figure: $1"; }
finish() {
  figure "$((SECONDS - SCENARIO_STARTED)) s"
  local figures
  # One line per scenario: figures and problems with their newlines flattened.
  figures=$(printf '%s; ' "${FIGURES[@]}" | tr '\n' ' ')
  if [ ${#PROBLEMS[@]} -eq 0 ]; then
    echo "PASS $SCENARIO: ${figures%; }" >>"$RESULTS"
  else
    echo "FAIL $SCENARIO: $(printf '%s; ' "${PROBLEMS[@]}" | tr '\n' ' ')figures: ${figures%; }" >>"$RESULTS"
  fi
  log "=== $SCENARIO: ${#PROBLEMS[@]} problem(s)"
}

# wait_until SECONDS COMMAND...: polls every 0.5 s; fails when the time runs out.
wait_until() {
  local limit=$(( SECONDS + $1 ))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$limit" ] || return 1
    sleep 0.5
  done
}

prop() { systemctl show -P "$2" "$1"; }
is_state() { [ "$(systemctl show -P ActiveState "$1")" = "$2" ]; }

# A number from the JSON text in $2: the first "KEY": N.
json_number() { grep -oE "\"$1\" *: *[0-9]+" <<<"$2" | head -n 1 | grep -oE '[0-9]+$'; }
# The "jobs" object of `jobq stats --json QUEUE` (jobs in each state), on one line.
jobs_json() { jobq stats --json "$1" 2>/dev/null | tr -d ' \n' | grep -oE '"jobs":\{[^}]*\}'; }
# jobs_in QUEUE STATE: how many jobs of the queue are in that state (waiting, delayed, active, dead).
jobs_in() { json_number "$2" "$(jobs_json "$1")"; }
# settled QUEUE: nothing waiting, delayed or running.
settled() {
  local json
  json=$(jobs_json "$1") || return 1
  [ "$(json_number waiting "$json")" = 0 ] && [ "$(json_number delayed "$json")" = 0 ] && [ "$(json_number active "$json")" = 0 ]
}

# The supervisor unit's cgroup directory, and the cgroup of its running worker (empty when none):
# UNIT/supervisor holds the supervisor, UNIT/jobq-QUEUE the queue's worker cgroups.
unit_cgroup() { echo "/sys/fs/cgroup$(systemctl show -P ControlGroup "$1")"; }
worker_cgroup() { find "$(unit_cgroup "$1")" -mindepth 2 -maxdepth 2 -type d -path '*/jobq-*/*' 2>/dev/null | head -n 1; }

# 1-minute load average now.
load1() { cut -d' ' -f1 /proc/loadavg; }

# The job command the scenarios' supervisors run for each job: reads the job's message on stdin.
install_job_script() {
  install -d /usr/local/lib/vmtest
  cat >/usr/local/lib/vmtest/job.sh <<'JOB'
#!/bin/bash
# One job: the message (JSON) on stdin. Payload keys: poison, burn (seconds of spinning), alloc (MB
# to hold in memory), sleep (seconds). Every job that succeeds appends its id to
# /var/lib/jobq/done.txt. Bash built-ins only where it can, so that a job costs little but its work.
IFS= read -r -d '' message
number() { [[ $message =~ \"$1\":\ *([0-9.]+) ]] && printf '%s' "${BASH_REMATCH[1]}"; }
if [[ $message == *'"poison"'* ]]; then
  printf '%s\n' "Traceback (most recent call last):" "ValueError: cannot parse document in job $JOBQ_JOB_ID: poison input" >&2
  exit 1
fi
burn=$(number burn)
if [ -n "$burn" ]; then
  end=$((SECONDS + burn))
  while [ "$SECONDS" -lt "$end" ]; do :; done
fi
alloc=$(number alloc)
if [ -n "$alloc" ]; then
  held=$(head -c "${alloc}M" /dev/zero | tr '\0' x)
  echo "held ${#held} bytes" >&2
fi
pause=$(number sleep)
[ -z "$pause" ] || sleep "$pause"
echo "$JOBQ_JOB_ID" >>/var/lib/jobq/done.txt
JOB
  chmod 755 /usr/local/lib/vmtest/job.sh
}

# dropin UNIT NAME CONTENT: a drop-in for UNIT, then daemon-reload.
dropin() {
  install -d "/etc/systemd/system/$1.d"
  printf '%s\n' "$3" >"/etc/systemd/system/$1.d/$2.conf"
  systemctl daemon-reload
}

# The supervisor command line of the shipped unit with other options (for drop-ins).
supervise_line() {
  local queue=$1 options=$2 worker_options=$3
  printf 'ExecStart=\nExecStart=/usr/bin/jobq supervise %s %s -- /usr/bin/ingest-worker --queue %s %s -- /usr/local/lib/vmtest/job.sh' \
    "$queue" "$options" "$queue" "$worker_options"
}

# For the `bash -c` conditions given to wait_until.
export -f json_number jobs_json jobs_in settled unit_cgroup worker_cgroup
