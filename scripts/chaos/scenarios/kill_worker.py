"""Workers SIGKILLed at random moments while draining: 100 kills over 10,000 jobs, then one worker
finishes. Leases and consumer timeouts are 1 s so that what the killed workers held comes back
quickly; everything else is the default (a job in hand at 2 kills is quarantined as poison)."""
import os
import time

from audit import audit, unsettled
from redis_server import RedisServer
from resp import Redis
from result import Result
import workers

JOBS = int(os.environ.get("CHAOS_KILL_JOBS", "10000"))
KILLS = int(os.environ.get("CHAOS_KILLS", "100"))
SHORT_TIMEOUTS = ["--lease-ms", "1000", "--consumer-ttl-ms", "1000"]


def run(context):
    result = Result(f"worker SIGKILLed {KILLS} times over {JOBS:,} jobs", jobs=JOBS)
    server = RedisServer().start()
    try:
        client = Redis(server.port)
        queue = "chaos-kill"
        ids = workers.enqueue(context.binaries, server.url, queue, JOBS)
        result.expect(len(ids) == JOBS, f"enqueue printed {len(ids)} ids")
        log = context.path("kill-worker.log")
        kills = 0
        for number in range(KILLS):
            worker = workers.Worker(context.binaries, server.url, queue, log, *SHORT_TIMEOUTS, "--job-ms", "1")
            time.sleep(context.rng.uniform(0.03, 0.15))
            kills += worker.kill()
            if number % 25 == 24:
                context.progress(f"  {number + 1} kills, {len(workers.runs(log)):,} runs logged")
        last_kill = time.time()
        result.expect(kills == KILLS, f"only {kills} of {KILLS} workers died of SIGKILL")

        finisher = workers.Worker(context.binaries, server.url, queue, log, *SHORT_TIMEOUTS, "--idle-exit", "3")
        settled_at = None
        deadline = time.monotonic() + 120
        while finisher.alive() and time.monotonic() < deadline:
            if settled_at is None and unsettled(client, queue) == 0:
                settled_at = time.time()
            time.sleep(0.1)
        status = finisher.wait(timeout=10)
        result.expect(status == 0, f"the finishing worker exited with {status}")
        if settled_at is None and unsettled(client, queue) == 0:
            settled_at = time.time()

        outcome, reasons = audit(client, queue, ids, workers.runs(log))
        result.take_audit(outcome, reasons)
        result.expect(outcome["waiting"] == 0, f"{outcome['waiting']} jobs still waiting after the finisher")
        resumed = workers.first_start_after(log, last_kill)
        result.recovery = (f"running again {resumed:.2f} s after the last kill; all settled after "
                           f"{settled_at - last_kill:.1f} s" if resumed is not None and settled_at else "did not recover")
        result.notes.append(f"{kills} kills, {len(workers.runs(log)):,} runs logged")
        client.close()
    finally:
        server.remove()
    return result
