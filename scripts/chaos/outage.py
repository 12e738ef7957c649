"""A drain that Redis walks out of and comes back to: the worker must wait without spinning,
then finish every job."""
import time

from audit import audit
from resp import Redis
import workers


def drain_through_outage(context, result, server, queue, begin, end, outage_seconds, log_name):
    """Enqueues `result.jobs` jobs, starts one worker (2 ms per job, exits after 5 s idle), and once
    a quarter of the jobs ran calls `begin()`, waits `outage_seconds`, and calls `end()`. Records
    the worker's CPU during the outage, how soon it ran jobs again, and the audit."""
    ids = workers.enqueue(context.binaries, server.url, queue, result.jobs)
    log = context.path(log_name)
    worker = workers.Worker(context.binaries, server.url, queue, log, "--job-ms", "2", "--idle-exit", "5")
    result.expect(workers.wait_for_runs(log, result.jobs // 4, 30), "the worker did not get going")

    begin()
    before = worker.cpu_ticks()
    time.sleep(outage_seconds)
    outage_cpu = workers.cpu_seconds(worker.cpu_ticks() - before)
    alive = worker.alive()
    end()
    ended = time.time()
    result.expect(alive, "the worker died while Redis was away")
    if not alive:
        result.notes.append(f"the worker's last words: {worker.last_words()}")

    status = worker.wait(timeout=90)
    result.expect(status == 0, f"the worker exited with {status}")
    client = Redis(server.port)
    outcome, reasons = audit(client, queue, ids, workers.runs(log))
    client.close()
    result.take_audit(outcome, reasons)
    result.expect(outcome["waiting"] == 0, f"the worker stopped with {outcome['waiting']} jobs still waiting")
    resumed = workers.first_start_after(log, ended)
    result.recovery = f"running again {resumed:.2f} s after Redis was back" if resumed is not None else "did not recover"
    share = 100 * outage_cpu / outage_seconds
    result.notes.append(f"worker CPU while Redis was away: {outage_cpu:.2f} s in {outage_seconds:.0f} s ({share:.1f} % of a core)")
    result.expect(share < 5, f"the worker used {share:.1f} % of a core while Redis was away")
