# 6. The drain timer drains and exits; the restart-backoff drop-in on this systemd.
begin timer
install_job_script
for n in 1 2 3 4 5; do jobq enqueue drain '{"sleep": 0.2}' --id "drain-$n" >/dev/null; done
dropin jobq-drain@drain.service command "[Service]
ExecStart=
ExecStart=/usr/bin/ingest-worker --queue drain --idle-exit 3s --stop-grace 30s -- /usr/local/lib/vmtest/job.sh"
# Fire soon instead of at the next 4-hour mark.
dropin jobq-drain@drain.timer soon "[Timer]
OnActiveSec=2s
RandomizedDelaySec=0
AccuracySec=1s"
check "enable --now jobq-drain@drain.timer" systemctl enable --now jobq-drain@drain.timer
check "the timer started the drain and it exited" wait_until 120 bash -c \
  '[ -n "$(systemctl show -P ExecMainExitTimestamp jobq-drain@drain.service)" ] && [ "$(systemctl show -P ActiveState jobq-drain@drain.service)" = inactive ]'
check "drain exited 0 (Result=$(prop jobq-drain@drain.service Result))" test "$(prop jobq-drain@drain.service Result)/$(prop jobq-drain@drain.service ExecMainStatus)" = success/0
check "queue drain is empty" settled drain
done_count=$(grep -c '^drain-' /var/lib/jobq/done.txt)
check "all 5 jobs done" test "$done_count" = 5
run_ms=$(( ($(prop jobq-drain@drain.service ExecMainExitTimestampMonotonic) - $(prop jobq-drain@drain.service ExecMainStartTimestampMonotonic)) / 1000 ))
figure "timer fired, drain ran $run_ms ms ($done_count jobs, idle exit 3 s) and exited 0; next: $(systemctl list-timers --no-legend 'jobq-drain@*' | awk '{ print $1, $2, $3 }')"

install -D -m 0644 /usr/share/doc/jobq/drop-ins/restart-backoff.conf /etc/systemd/system/jobq-supervisor@.service.d/restart-backoff.conf
systemctl daemon-reload
verify=$(systemd-analyze verify jobq-supervisor@ingest.service 2>&1 | grep -v '^$' || true)
echo "$verify"
check "the unit still loads with the drop-in" test "$(prop jobq-supervisor@ingest LoadState)" = loaded
check "systemctl restart works with it" systemctl restart jobq-supervisor@ingest
check "active" is_state jobq-supervisor@ingest.service active
version=$(systemctl --version | awk 'NR == 1 { print $2 }')
steps=$(systemctl show -P RestartSteps jobq-supervisor@ingest 2>/dev/null || true)
if [ "$version" -lt 254 ]; then
  check "systemd $version warns that it does not know RestartSteps=" grep -q "RestartSteps" <<<"$verify"
  figure "systemd $version: $(grep -m1 RestartSteps <<<"$verify" | sed 's/^.*restart-backoff.conf/restart-backoff.conf/'); RestartSec stays $(prop jobq-supervisor@ingest RestartUSec)"
else
  check "RestartSteps=4 in effect" test "$steps" = 4
  figure "systemd $version: RestartSteps=$steps RestartMaxDelayUSec=$(prop jobq-supervisor@ingest RestartMaxDelayUSec)"
fi
finish
