# 4. Breaker and systemd: a worker that cannot start trips the breaker; the supervisor exits 3 and
# systemd does not restart it (RestartPreventExitStatus=); breaker reset + start recovers.
begin breaker
install_job_script
for n in 1 2 3; do jobq enqueue broken '{"sleep": 0}' --id "broken-$n" >/dev/null; done
# A worker executable that does not exist is a usage error (64): not restarted either.
dropin jobq-supervisor@broken.service command "[Service]
ExecStart=
ExecStart=/usr/bin/jobq supervise broken --max-crashes 3 --crash-window 10m --max-load 100 --min-available 1M -- /usr/local/lib/vmtest/no-such-worker"
systemctl start jobq-supervisor@broken 2>/dev/null || true
check "a missing worker executable: exit status 64 (got $(prop jobq-supervisor@broken ExecMainStatus))" test "$(prop jobq-supervisor@broken ExecMainStatus)" = 64
sleep 7
check "  and no restart (NRestarts $(prop jobq-supervisor@broken NRestarts))" test "$(prop jobq-supervisor@broken NRestarts)/$(prop jobq-supervisor@broken ActiveState)" = 0/failed
systemctl reset-failed jobq-supervisor@broken
# A worker that exits 1 at once, every time: the breaker trips after 3 crashes.
dropin jobq-supervisor@broken.service command "[Service]
ExecStart=
ExecStart=/usr/bin/jobq supervise broken --max-crashes 3 --crash-window 10m --max-load 100 --min-available 1M -- /bin/false"
started=$SECONDS
systemctl start jobq-supervisor@broken 2>/dev/null || true
check "the supervisor stops by itself" wait_until 120 bash -c 'case $(systemctl show -P ActiveState jobq-supervisor@broken) in failed|inactive) exit 0 ;; *) exit 1 ;; esac'
tripped_after=$((SECONDS - started))
status=$(prop jobq-supervisor@broken ExecMainStatus)
restarts=$(prop jobq-supervisor@broken NRestarts)
check "exit status 3, the breaker's (got $status)" test "$status" = 3
sleep 8
check "systemd did not restart it (NRestarts $restarts -> $(prop jobq-supervisor@broken NRestarts), RestartSec=5s)" \
  test "$(prop jobq-supervisor@broken NRestarts)/$(prop jobq-supervisor@broken ActiveState)" = "$restarts/failed"
jobq breaker broken >"$OUT/breaker-broken.txt" 2>&1 || true
cat "$OUT/breaker-broken.txt"
check "jobq breaker shows it tripped" grep -q '^breaker: TRIPPED' "$OUT/breaker-broken.txt"
check "every job still waits" test "$(jobs_in broken waiting)" = 3
figure "breaker tripped $tripped_after s after start ($(grep -m1 '^breaker:' "$OUT/breaker-broken.txt")); unit $(prop jobq-supervisor@broken Result), status $status, NRestarts $(prop jobq-supervisor@broken NRestarts)"

dropin jobq-supervisor@broken.service command "[Service]
$(supervise_line broken '--max-crashes 3 --crash-window 10m --max-load 100 --min-available 1M' '--idle-exit 10s')"
check "jobq breaker reset broken" jobq breaker reset broken
started=$SECONDS
check "systemctl start recovers" systemctl start jobq-supervisor@broken
check "jobs done after recovery" wait_until 120 settled broken
check "no dead letters" test "$(jobs_in broken dead)" = 0
figure "recovered: 3 jobs done $((SECONDS - started)) s after start"
systemctl stop jobq-supervisor@broken
finish
