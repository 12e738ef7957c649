"""A poison job among 1,000 good ones: `jobq supervise --memory 64M --swap 0 --max-crashes 3` runs
`ingest-worker`, which runs a small shell script per job. The script allocates 1 GiB when the
payload asks for it (far past the cap, so the kernel's OOM killer strikes) and otherwise logs the
run and exits 0. The poison job must end as a dead letter blamed for the OOM (`poison: ...`), every
good job must complete, and the crash-loop breaker must not trip: the job is to blame, not the host."""
import json
import os
import shlex
import shutil
import tempfile
import time

from audit import audit, unsettled
from redis_server import RedisServer
from resp import Redis
from result import Result
import supervision
import workers

GOOD_JOBS = 1000
QUEUE = "chaos-oom"
SETTLE_SECONDS = 240
SCRIPT = """#!/bin/sh
# One job: its message arrives on stdin. A payload with "hog_mib" allocates that many MiB (past the
# worker's memory cap); any other job appends "<job id> 0 <start ms> <end ms> 0" to the log and succeeds.
message=$(cat)
case "$message" in
  *'"hog_mib"'*) exec python3 -c 'import sys, time; hog = b"x" * (int(sys.argv[1]) << 20); time.sleep(5)' 1024 ;;
esac
now=$(date +%s%3N)
printf '%s 0 %s %s 0\\n' "$JOBQ_JOB_ID" "$now" "$now" >> {log}
"""


def run(context):
    result = Result(f"a job that OOMs its worker (64M cap) among {GOOD_JOBS:,} good ones", jobs=GOOD_JOBS + 1)
    server = RedisServer().start()
    scratch = tempfile.mkdtemp(prefix="jobq-chaos-oom.")
    census = supervision.WorkerCensus("ingest-worker", QUEUE)
    supervisor = None
    try:
        client = Redis(server.port)
        log = context.path("poison-oom.log")
        script = os.path.join(scratch, "job.sh")
        with open(script, "w") as file:
            file.write(SCRIPT.replace("{log}", shlex.quote(log)))
        os.chmod(script, 0o755)

        payloads = [json.dumps({"n": n}) for n in range(GOOD_JOBS)]
        payloads.insert(GOOD_JOBS // 2, json.dumps({"n": -1, "hog_mib": 1024}))
        ids = workers.enqueue_lines(context.binaries, server.url, QUEUE, payloads)
        result.expect(len(ids) == GOOD_JOBS + 1, f"enqueue printed {len(ids)} ids")
        poison = ids[GOOD_JOBS // 2]
        good = [job_id for job_id in ids if job_id != poison]

        command = [context.binaries.ingest_worker, "--queue", QUEUE, "--idle-exit", "2s", "--", script]
        options = ["--memory", "64M", "--swap", "0", "--max-crashes", "3"]
        supervisor = supervision.Supervise(context.binaries, server.url, QUEUE, options, command,
                                           context.path("poison-oom.supervise"))
        began = time.time()
        settled_at = None
        deadline = time.monotonic() + SETTLE_SECONDS
        while supervisor.alive() and time.monotonic() < deadline:
            state = supervision.supervisor_hash(client, QUEUE).get("state")
            if unsettled(client, QUEUE) == 0 and state == "sleeping":
                settled_at = time.time()
                break
            time.sleep(0.2)
        exited = supervisor.wait(0)
        result.expect(exited is None, f"the supervisor exited with {exited} before the queue was drained")
        result.expect(settled_at is not None or exited is not None, f"the queue was not settled within {SETTLE_SECONDS} s")

        shown, _ = supervision.breaker_text(context.binaries, server.url, QUEUE)
        breaker_line = shown.splitlines()[0] if shown else "(nothing)"
        result.expect(breaker_line == "breaker: not tripped", "the crash-loop breaker tripped")
        exits = [json.loads(text) for text in supervision.worker_exits(client, QUEUE)]

        if supervisor.alive():
            status = supervisor.terminate(30)
            result.expect(status == 0, f"the supervisor exited with {status} on SIGTERM")
        time.sleep(0.3)
        census.stop()

        outcome, reasons = audit(client, QUEUE, ids, workers.runs(log))
        result.take_audit(outcome, reasons)
        good_outcome, _ = audit(client, QUEUE, good, workers.runs(log))
        result.expect(good_outcome["completed"] == GOOD_JOBS,
                      f"{GOOD_JOBS - good_outcome['completed']} good jobs did not complete")
        record = client("HGETALL", f"jobq:{{{QUEUE}}}:job:{poison}")
        fields = {record[i].decode(): record[i + 1].decode(errors="replace") for i in range(0, len(record), 2)}
        reason = fields.get("dead_reason", "")
        result.expect(fields.get("state") == "dead", f"the poison job is {fields.get('state', 'gone')}, not a dead letter")
        result.expect(reason.startswith("poison:") and "OOM" in reason,
                      f"the poison job's dead-letter reason is “{reason or 'none'}”, not “poison: ... (OOM)”")
        left = census.now()
        result.expect(not left, f"worker processes left at the end: {left}")
        cgroups = supervision.leftover_cgroups(QUEUE)
        result.expect(not cgroups, f"cgroup directories left at the end: {', '.join(cgroups)}")

        crashes = [e for e in exits if e.get("crash")]
        result.notes.append(f"poison job: state {fields.get('state', 'gone')}, {fields.get('attempts', 0)} starts, "
                            f"{fields.get('crashes', 0)} crashes, reason “{reason or 'none'}”"
                            + (f", last error “{fields['last_error'].splitlines()[0]}”" if fields.get("last_error") else ""))
        result.notes.append(f"{len(exits)} worker exits recorded, {len(crashes)} of them crashes"
                            + "".join(f"; {describe(e)}" for e in reversed(exits) if e.get("crash")))
        result.notes.append(f"`jobq breaker` shows “{breaker_line}”")
        result.recovery = (f"all settled {settled_at - began:.1f} s after the supervisor started" if settled_at
                           else f"breaker tripped: supervisor exited {exited} after {supervisor.ran_seconds:.0f} s" if exited == 3
                           else f"supervisor exited {exited}" if exited is not None else "did not settle")
        client.close()
    finally:
        census.stop()
        if supervisor is not None:
            supervisor.kill()
        supervision.end_processes(census.now())
        server.remove()
        shutil.rmtree(scratch, ignore_errors=True)
    return result


def describe(exit_record):
    """One recorded worker exit in words: its cause, how it ended, the jobs it held."""
    ended = (f"exit status {exit_record['exit_status']}" if exit_record.get("exit_status") is not None
             else f"killed by {exit_record.get('signal')}")
    held = ", ".join(f"{job.get('outcome')}" for job in exit_record.get("jobs", [])) or "no job in hand"
    return f"crash “{exit_record.get('cause')}”: {ended} after {exit_record.get('run_time_ms', 0) / 1000:.1f} s, {held}"
