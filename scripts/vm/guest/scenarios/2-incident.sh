# 2. The incident replayed: a crash-looping rivet-worker.service, jobq diagnose, emergency-stop,
# then the same work under jobq-supervisor@ingest.
begin incident
install -d /usr/local/lib/rivet
cat >/usr/local/lib/rivet/rivet_worker.sh <<'WORKER'
#!/bin/bash
# Ingests the documents of the Redis list rivet:docs, oldest first. A document leaves the list only
# once ingested, so a document it cannot parse crashes it again at every start.
startup_end=$((SECONDS + 1))
while [ "$SECONDS" -lt "$startup_end" ]; do :; done   # start-up: loading libraries, models
while :; do
  doc=$(redis-cli --raw LINDEX rivet:docs -1)
  if [ -z "$doc" ]; then sleep 1; continue; fi
  if [[ $doc == *'"poison"'* ]]; then
    echo "Traceback (most recent call last):" >&2
    echo "ValueError: cannot parse document $doc" >&2
    exit 1
  fi
  sleep 0.2
  redis-cli LPUSH rivet:done "$doc" >/dev/null
  redis-cli RPOP rivet:docs >/dev/null
done
WORKER
chmod 755 /usr/local/lib/rivet/rivet_worker.sh
cat >/etc/systemd/system/rivet-worker.service <<'UNIT'
[Unit]
Description=RIVET KB Ingestion Worker
After=network.target redis-server.service

[Service]
Type=simple
ExecStart=/usr/local/lib/rivet/rivet_worker.sh
Restart=always
RestartSec=3
UNIT
systemctl daemon-reload
redis-cli DEL rivet:docs rivet:done >/dev/null
total=30
for n in $(seq -w 1 $total); do
  if [ "$n" = 06 ]; then doc="{\"doc\":\"doc-$n\",\"poison\":true}"; else doc="{\"doc\":\"doc-$n\",\"sleep\":0.2}"; fi
  redis-cli LPUSH rivet:docs "$doc" >/dev/null
done
systemctl start rivet-worker.service
check "rivet-worker crash-loops (NRestarts reaches 5)" wait_until 120 bash -c '[ "$(systemctl show -P NRestarts rivet-worker.service)" -ge 5 ]'
restarts_before=$(prop rivet-worker.service NRestarts)
status=0
jobq diagnose >"$OUT/diagnose-1.txt" 2>&1 || status=$?
sleep 6
jobq diagnose >"$OUT/diagnose-2.txt" 2>&1 || true
restarts_after=$(prop rivet-worker.service NRestarts)
cat "$OUT/diagnose-2.txt"
check "jobq diagnose exits 1 or 2 (status $status)" test "$status" = 1 -o "$status" = 2
check "diagnose: restart loop" grep -q 'systemd.restartLoop' "$OUT/diagnose-2.txt"
check "diagnose: the start limit cannot trip" grep -q 'systemd.startLimitUnreachable' "$OUT/diagnose-2.txt"
check "diagnose: no swap" grep -q 'swap.none' "$OUT/diagnose-2.txt"
check "NRestarts climbing between the two diagnoses" test "$restarts_after" -gt "$restarts_before"
figure "NRestarts $restarts_before -> $restarts_after in 6 s"
figure "diagnose: $(grep -m1 'has been restarted' "$OUT/diagnose-2.txt" | sed 's/^ *//')"
figure "diagnose: $(grep -m1 'RestartSec=.*×' "$OUT/diagnose-2.txt" | sed 's/^ *//')"
figure "load $(load1) on $(nproc) CPU; diagnose says: $(grep -m1 -iE 'load [0-9.]+ per CPU|per CPU' "$OUT/diagnose-2.txt" | sed 's/^ *//')"

status=0
jobq emergency-stop --unit rivet-worker.service >"$OUT/emergency-stop.txt" 2>&1 || status=$?
cat "$OUT/emergency-stop.txt"
check "emergency-stop exits 0" test "$status" = 0
sleep 4
check "rivet-worker stays stopped" test "$(prop rivet-worker.service ActiveState)" = inactive
left=$(redis-cli LLEN rivet:docs) done_count=$(redis-cli LLEN rivet:done)
check "no document lost ($left left + $done_count done = $total)" test $((left + done_count)) = $total
figure "rivet-worker: $done_count ingested before the crash loop, $left left after at least $restarts_after restarts"

# The same work under the supervisor: the shipped caps, the job script as the worker's command.
install_job_script
: >/var/lib/jobq/done.txt
chown jobq:jobq /var/lib/jobq/done.txt
dropin jobq-supervisor@ingest.service command "[Service]
$(supervise_line ingest '--cpu 25%% --memory 256M --swap 0 --pids 64 --max-crashes 5 --crash-window 10m --max-load 1.5 --min-available 200M --stop-timeout 30s' '--idle-exit 60s --stop-grace 20s')"
systemctl restart jobq-supervisor@ingest
check "supervisor active with the job command" is_state jobq-supervisor@ingest.service active
# The crash loop's load decays first (the 1-minute average has a 1-minute memory), to well below
# the 1.0 the supervised work must stay under: what is measured then is the supervisor's work, not
# what is left of the crash loop (starting just under 1.0, any work at all crossed it).
wait_until 180 awk '{ exit !($1 < 0.5) }' /proc/loadavg
figure "load before moving the work: $(load1)"
redis-cli --raw LRANGE rivet:docs 0 -1 | tac >/tmp/rivet-docs.jsonl
check "enqueue the $left documents" bash -c "jobq enqueue ingest --jsonl /tmp/rivet-docs.jsonl --max-attempts 2 >/dev/null"
redis-cli DEL rivet:docs >/dev/null
# Sampled every 2 s; the queue is asked only every 10 s, so that the sampling itself (a jobq
# process) adds little load.
max_load=0 caps="" round=0
limit=$((SECONDS + 300))
while [ "$SECONDS" -lt "$limit" ]; do
  round=$((round + 1))
  max_load=$(awk -v a="$max_load" -v b="$(load1)" 'BEGIN { print (b > a ? b : a) }')
  if [ -z "$caps" ]; then
    cg=$(worker_cgroup jobq-supervisor@ingest.service)
    if [ -n "$cg" ]; then
      caps="$(basename "$cg"): cpu.max=$(cat "$cg/cpu.max" 2>/dev/null) memory.max=$(cat "$cg/memory.max" 2>/dev/null) memory.swap.max=$(cat "$cg/memory.swap.max" 2>/dev/null) pids.max=$(cat "$cg/pids.max" 2>/dev/null)"
      figure "worker cgroup $cg"
    fi
  fi
  [ $((round % 5)) = 0 ] && settled ingest && break
  sleep 2
done
check "queue ingest settled" settled ingest
figure "caps: $caps"
check "worker cgroup has cpu.max 25000 100000" grep -q 'cpu.max=25000 100000' <<<"$caps"
check "worker cgroup has memory.max 256M" grep -q 'memory.max=268435456' <<<"$caps"
check "worker cgroup has pids.max 64" grep -q 'pids.max=64' <<<"$caps"
check "worker cgroup under the supervisor's delegated subtree" grep -q 'jobq-supervisor@ingest.service/' <<<"$cg"
jobq dead ingest >"$OUT/dead-ingest.txt" 2>&1 || true
cat "$OUT/dead-ingest.txt"
completed=$(sort -u /var/lib/jobq/done.txt | wc -l)
dead=$(jobs_in ingest dead)
check "every other job done ($completed of $((left - 1)))" test "$completed" = $((left - 1))
check "the poison job is the one dead letter" test "$dead" = 1
check "its cause is kept" grep -q 'ValueError' "$OUT/dead-ingest.txt"
figure "$completed done, $dead dead letter: $(grep -m1 -E 'reason|exit status' "$OUT/dead-ingest.txt" | sed 's/^ *//')"
figure "1-minute load under the supervisor: at most $max_load"
check "1-minute load stayed under 1.0" awk -v l="$max_load" 'BEGIN { exit !(l < 1.0) }'
finish
