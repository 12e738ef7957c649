# 5. Watchdog and stop: a supervisor frozen with SIGSTOP is killed and restarted by systemd's
# watchdog and its job is not lost; systemctl stop during a long job puts the job back within
# TimeoutStopSec and leaves no process or cgroup.
begin watchdog-stop
install_job_script
dropin jobq-supervisor@wd.service command "[Service]
WatchdogSec=6s
$(supervise_line wd '--max-load 100 --min-available 1M --stop-timeout 10s' '--idle-exit 60s --stop-grace 3s')"
check "start jobq-supervisor@wd" systemctl start jobq-supervisor@wd
jobq enqueue wd '{"sleep": 8}' --id wd-long >/dev/null
check "the long job runs" wait_until 60 bash -c '[ "$(jobs_in wd active)" = 1 ]'
frozen=$(prop jobq-supervisor@wd MainPID)
kill -STOP "$frozen"
stopped_at=$SECONDS
check "systemd's watchdog restarts the frozen supervisor" wait_until 120 bash -c \
  '[ "$(systemctl show -P MainPID jobq-supervisor@wd)" != "$0" ] && [ "$(systemctl show -P ActiveState jobq-supervisor@wd)" = active ]' "$frozen"
restart_after=$((SECONDS - stopped_at))
check "NRestarts is 1" test "$(prop jobq-supervisor@wd NRestarts)" = 1
check "the journal names the watchdog" bash -c 'journalctl -u jobq-supervisor@wd --no-pager | grep -qi watchdog'
check "the frozen job still completes" wait_until 180 grep -qx wd-long /var/lib/jobq/done.txt
figure "frozen at +0 s; restarted by the watchdog at +$restart_after s; the job done at +$((SECONDS - stopped_at)) s, $(jobs_in wd dead) dead"
journalctl -u jobq-supervisor@wd --no-pager | grep -iE 'watchdog|Main process exited' | head -n 3

jobq enqueue wd '{"sleep": 120}' --id wd-stop >/dev/null
check "a long job runs" wait_until 60 bash -c '[ "$(jobs_in wd active)" = 1 ]'
cgroup=$(unit_cgroup jobq-supervisor@wd.service)
started=$(date +%s%N)
systemctl stop jobq-supervisor@wd
took=$(( ($(date +%s%N) - started) / 1000000 ))
check "systemctl stop within TimeoutStopSec=45s (${took} ms)" test "$took" -lt 45000
check "stopped cleanly (Result=$(prop jobq-supervisor@wd Result))" test "$(prop jobq-supervisor@wd Result)" = success
check "the job is back in waiting" test "$(jobs_in wd waiting)/$(jobs_in wd active)" = 1/0
check "no cgroup left ($cgroup)" test ! -d "$cgroup"
check "no process left" bash -c '! pgrep -f -- "(queue|supervise) [w]d( |$)" >/dev/null'
cgls=$(systemd-cgls --no-pager -u jobq-supervisor@wd.service 2>&1 || true)
figure "stop took $took ms; job back in waiting; systemd-cgls: ${cgls:-nothing}"
jobq cancel wd wd-stop >/dev/null 2>&1 || true
finish
