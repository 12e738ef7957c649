"""No Redis when the worker starts: it must wait with backoff using next to no CPU, then run the
jobs once Redis appears on its address."""
import time

from audit import audit
from redis_server import RedisServer
from resp import Redis
from result import Result
import workers

ABSENT_SECONDS = 10.0
JOBS = 1000


def run(context):
    result = Result(f"Redis absent for the worker's first {ABSENT_SECONDS:.0f} s", jobs=JOBS)
    server = RedisServer()
    log = context.path("redis-absent.log")
    # --idle-exit counts time spent waiting for an unreachable Redis too: longer than the absence.
    worker = workers.Worker(context.binaries, server.url, "chaos-absent", log, "--idle-exit", "30")
    try:
        time.sleep(0.5)
        before = worker.cpu_ticks()
        time.sleep(ABSENT_SECONDS)
        waiting_cpu = workers.cpu_seconds(worker.cpu_ticks() - before)
        waited = worker.alive()
        result.expect(waited, "the worker gave up while Redis was absent")
        if not waited:
            result.notes.append(f"the worker's last words: {worker.last_words()}")

        server.start()
        appeared = time.time()
        ids = workers.enqueue(context.binaries, server.url, "chaos-absent", JOBS)
        status = worker.wait(timeout=90)
        result.expect(status == 0, f"the worker exited with {status}")
        client = Redis(server.port)
        outcome, reasons = audit(client, "chaos-absent", ids, workers.runs(log))
        client.close()
        result.take_audit(outcome, reasons)
        result.expect(outcome["waiting"] == 0, f"the worker stopped with {outcome['waiting']} jobs still waiting")
        resumed = workers.first_start_after(log, appeared)
        result.recovery = f"first job {resumed:.2f} s after Redis appeared" if resumed is not None else "never ran a job"
        if waited:
            share = 100 * waiting_cpu / ABSENT_SECONDS
            result.notes.append(f"worker CPU while waiting: {waiting_cpu:.2f} s in {ABSENT_SECONDS:.0f} s ({share:.1f} % of a core)")
            result.expect(share < 5, f"the worker used {share:.1f} % of a core while Redis was absent")
    finally:
        if worker.alive():
            worker.kill()
        server.remove()
    return result
