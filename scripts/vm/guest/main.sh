#!/bin/bash
# Runs the VM test's scenarios in order, inside the guest, as root, after boot. Each scenario appends
# a PASS or FAIL line to /mnt/share/out/results.txt; a scenario that runs out of time is a FAIL.
# The host's scripts/vm/run.sh reads the results.
set -u
cd "$(dirname "$0")"
source ./lib.sh
: >"$RESULTS"
log "guest: $(uname -r), systemd $(systemctl --version | awk 'NR == 1 { print $2 }'), $(stat -fc %T /sys/fs/cgroup), $(nproc) CPU, $(awk '/MemTotal/ { print int($2 / 1024) " MiB" }' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"

# name and time limit (seconds) of each scenario, in order; later ones use what earlier ones set up.
scenarios=(
  "1-install 180"
  "2-incident 600"
  "3-caps 420"
  "4-breaker 300"
  "5-watchdog-stop 420"
  "6-timer 240"
  "7-upgrade-purge 300"
)
for entry in "${scenarios[@]}"; do
  read -r name limit <<<"$entry"
  before=$(grep -c . "$RESULTS")
  timeout --kill-after=10 "$limit" bash -c 'source ./lib.sh; source "scenarios/$0.sh"' "$name"
  status=$?
  if [ "$status" = 124 ] || [ "$status" = 137 ]; then
    echo "FAIL $name: did not finish within $limit s" >>"$RESULTS"
  elif [ "$(grep -c . "$RESULTS")" = "$before" ]; then
    echo "FAIL $name: ended (status $status) without a result" >>"$RESULTS"
  fi
  if [ "$name" = 1-install ] && [ "$(dpkg-query -W -f '${Status}' jobq 2>/dev/null)" != "install ok installed" ]; then
    log "the package did not install: the other scenarios need it"
    break
  fi
done
journalctl -b --no-pager -o short-monotonic >"$OUT/journal.txt" 2>&1
log "done: $(grep -c '^PASS' "$RESULTS") passed, $(grep -c '^FAIL' "$RESULTS") failed"
