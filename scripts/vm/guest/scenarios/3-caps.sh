# 3. Caps enforced: --cpu 25% read from the worker cgroup's cpu.stat; a job allocating past
# --memory is OOM-killed by the kernel (memory.events), blamed on the job, the supervisor unharmed.
begin caps
install_job_script
dropin jobq-supervisor@caps.service command "[Service]
$(supervise_line caps '--cpu 25%% --memory 64M --swap 0 --pids 64 --max-crashes 5 --crash-window 10m --max-load 100 --min-available 1M --stop-timeout 30s' '--idle-exit 30s --stop-grace 5s')"
check "start jobq-supervisor@caps" systemctl start jobq-supervisor@caps
pid=$(prop jobq-supervisor@caps MainPID)
jobq enqueue caps '{"burn": 20}' --max-attempts 1 --id burn >/dev/null
cg=""
wait_until 60 bash -c '[ -n "$(worker_cgroup jobq-supervisor@caps.service)" ]'
cg=$(worker_cgroup jobq-supervisor@caps.service)
check "worker cgroup exists" test -n "$cg"
sleep 3
# usage_usec, nr_periods, nr_throttled and the clock, read together.
read_stat() { awk '{ v[$1] = $2 } END { print v["usage_usec"], v["nr_periods"], v["nr_throttled"] }' "$cg/cpu.stat"; echo " $(date +%s%N)"; }
read -r u0 p0 t0 c0 <<<"$(read_stat | tr -d '\n')"
sleep 10
read -r u1 p1 t1 c1 <<<"$(read_stat | tr -d '\n')"
share=$(awk -v du=$((u1 - u0)) -v dt=$(((c1 - c0) / 1000)) 'BEGIN { printf "%.1f", 100 * du / dt }')
figure "CPU-bound job: $share % of a CPU over $(((c1 - c0) / 1000000)) ms from cpu.stat ($((t1 - t0)) of $((p1 - p0)) periods throttled); cpu.max $(cat "$cg/cpu.max")"
check "CPU share at most 27 % ($share)" awk -v s="$share" 'BEGIN { exit !(s <= 27) }'
check "CPU share at least 15 % ($share): the job ran" awk -v s="$share" 'BEGIN { exit !(s >= 15) }'
check "burn job done" wait_until 120 grep -qx burn /var/lib/jobq/done.txt

ooms_before=$(awk '$1 == "oom_kill" { print $2 }' "$(unit_cgroup jobq-supervisor@caps.service)/memory.events")
kernel_before=$(journalctl -k --no-pager | grep -c 'Memory cgroup out of memory' || true)
jobq enqueue caps '{"alloc": 120}' --max-attempts 5 --id hog >/dev/null
check "the memory hog ends as a dead letter" wait_until 180 bash -c '[ "$(jobs_in caps dead)" = 1 ]'
ooms_after=$(awk '$1 == "oom_kill" { print $2 }' "$(unit_cgroup jobq-supervisor@caps.service)/memory.events")
kernel_after=$(journalctl -k --no-pager | grep -c 'Memory cgroup out of memory' || true)
jobq dead caps >"$OUT/dead-caps.txt" 2>&1 || true
cat "$OUT/dead-caps.txt"
check "memory.events counts the OOM kills ($ooms_before -> $ooms_after)" test "$ooms_after" -gt "$ooms_before"
check "the kernel logged them" test "$kernel_after" -gt "$kernel_before"
check "blamed on the job: poison ... OOM" grep -qE 'poison.*OOM' "$OUT/dead-caps.txt"
check "the supervisor is unharmed (same pid, active)" test "$(prop jobq-supervisor@caps MainPID)/$(prop jobq-supervisor@caps ActiveState)" = "$pid/active"
check "no restart of the unit" test "$(prop jobq-supervisor@caps NRestarts)" = 0
jobq breaker caps >"$OUT/breaker-caps.txt" 2>&1 || true
check "the breaker did not trip" bash -c '! grep -qiE "tripped: *yes|breaker: *tripped" "$0"' "$OUT/breaker-caps.txt"
figure "memory hog: oom_kill $ooms_before -> $ooms_after in memory.events, kernel OOM lines $kernel_before -> $kernel_after; $(grep -m1 -oE 'poison:[^"]*' "$OUT/dead-caps.txt")"
systemctl stop jobq-supervisor@caps
finish
