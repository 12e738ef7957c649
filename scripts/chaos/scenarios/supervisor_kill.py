"""The supervisor SIGKILLed mid-drain, then started again: 2,000 jobs (20 ms each) drained by
`example-worker` under `jobq supervise`; once a random 20-35 % of them ran the supervisor is
SIGKILLed, and a new one is started for the queue at once. It stands by until the dead one's lock
expires, then must clean up what the dead one left (its worker and cgroups) and finish the drain.
The worker processes of the queue are sampled every 20 ms throughout: never two at once."""
import time

from audit import audit, unsettled
from redis_server import RedisServer
from resp import Redis
from result import Result
import supervision
import workers

JOBS = 2000
JOB_MS = 20
QUEUE = "chaos-supervisor-kill"
SETTLE_SECONDS = 150


def run(context):
    result = Result(f"supervisor SIGKILLed mid-drain of {JOBS:,} jobs, then started again", jobs=JOBS)
    server = RedisServer().start()
    census = supervision.WorkerCensus("example-worker", QUEUE)
    started = []
    try:
        client = Redis(server.port)
        ids = workers.enqueue(context.binaries, server.url, QUEUE, JOBS)
        log = context.path("supervisor-kill.log")
        command = [context.binaries.example_worker, "work", QUEUE, "--log", log, "--job-ms", str(JOB_MS), "--idle-exit", "2"]
        options = ["--memory", "64M", "--swap", "0"]
        stderr = context.path("supervisor-kill.supervise")

        first = supervision.Supervise(context.binaries, server.url, QUEUE, options, command, stderr)
        started.append(first)
        kill_after = int(JOBS * context.rng.uniform(0.20, 0.35))
        result.expect(workers.wait_for_runs(log, kill_after, 60), "the first supervisor's worker did not get going")
        orphan = int(supervision.supervisor_hash(client, QUEUE).get("worker_pid") or 0)
        # The leftover check at the end proves something only if it finds the cgroups while they exist.
        cgroups_during_run = supervision.leftover_cgroups(QUEUE)
        result.expect(cgroups_during_run, f"no jobq-{QUEUE} cgroup found while its worker ran")
        killed = first.kill()
        killed_at = time.time()
        result.expect(killed, "the first supervisor did not die of SIGKILL")
        time.sleep(0.5)
        orphan_alive = orphan in census.now()
        result.notes.append(f"SIGKILLed the supervisor after {len(workers.runs(log)):,} runs; its worker "
                            + ("kept running, orphaned" if orphan_alive else "died with it"))

        second = supervision.Supervise(context.binaries, server.url, QUEUE, options, command, stderr)
        started.append(second)
        took_over = None
        orphan_gone = None
        settled_at = None
        deadline = time.monotonic() + SETTLE_SECONDS
        while second.alive() and time.monotonic() < deadline:
            state = supervision.supervisor_hash(client, QUEUE)
            if took_over is None and state.get("pid") == str(second.pid):
                took_over = time.time()
            if orphan_gone is None and orphan not in census.now():
                orphan_gone = time.time()
            if took_over and settled_at is None and unsettled(client, QUEUE) == 0:
                settled_at = time.time()
            if settled_at and state.get("state") == "sleeping":
                break
            time.sleep(0.1)
        result.expect(second.alive(), f"the second supervisor exited with {second.wait(0)}")
        result.expect(took_over is not None, "the second supervisor never took the queue over")
        status = second.terminate(30)
        result.expect(status == 0, f"the second supervisor exited with {status} on SIGTERM")
        time.sleep(0.3)
        census.stop()

        outcome, reasons = audit(client, QUEUE, ids, workers.runs(log))
        result.take_audit(outcome, reasons)
        result.expect(outcome["waiting"] == 0, f"{outcome['waiting']} jobs still waiting after {SETTLE_SECONDS} s")
        result.expect(census.most <= 1, f"two or more workers ran at once in {census.crowded_samples} of "
                                        f"{census.samples:,} samples (at most {census.most})")
        left = census.now()
        result.expect(not left, f"worker processes left at the end: {left}")
        cgroups = supervision.leftover_cgroups(QUEUE)
        result.expect(not cgroups, f"cgroup directories left at the end: {', '.join(cgroups)}")
        cleanup = [line for line in second.log_lines() if "left behind by an earlier supervisor" in line]

        if orphan_alive and orphan_gone:
            how = "by the new supervisor" if cleanup else "by itself"
            result.notes.append(f"the orphaned worker ended {orphan_gone - killed_at:.1f} s after the kill ({how})")
        result.expect(census.seen, "no worker process was ever seen")
        result.notes.append(f"{census.samples:,} process samples, at most {census.most} at once; "
                            f"{len(census.seen)} worker processes in all")
        result.recovery = (f"new supervisor in charge {took_over - killed_at:.1f} s after the kill (the dead one's lock "
                           f"expired); all settled after {settled_at - killed_at:.1f} s" if took_over and settled_at
                           else "did not recover")
        client.close()
    finally:
        census.stop()
        for supervisor in started:
            supervisor.kill()
        supervision.end_processes(census.now())
        server.remove()
    return result
