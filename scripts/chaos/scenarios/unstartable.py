"""A worker that cannot run at all, under `jobq supervise --max-crashes 3` with 100 jobs waiting:
first a worker executable removed after the supervisor started (one missing at start is refused
with exit 64 before anything runs: a CLI test covers that), then a script that exits 1 at once. The crash-loop
breaker must trip within 3 launches, the supervisor must exit 3 (so systemd leaves it stopped), the
jobs must all still wait, and the supervisor (with the workers it reaped) must use next to no CPU."""
import os
import shutil
import tempfile
import time

from audit import audit, counters
from redis_server import RedisServer
from resp import Redis
from result import Result
import supervision
import workers

JOBS = 100
MAX_CRASHES = 3
EXIT_SECONDS = 90
CPU_LIMIT_SECONDS = 1.0


def run(context):
    scratch = tempfile.mkdtemp(prefix="jobq-chaos-unstartable.")
    failing = os.path.join(scratch, "exit-1.sh")
    with open(failing, "w") as file:
        file.write("#!/bin/sh\n# A worker that fails before doing anything.\nexit 1\n")
    os.chmod(failing, 0o755)
    removed = os.path.join(scratch, "removed-worker.sh")
    shutil.copy(failing, removed)
    server = RedisServer().start()
    try:
        return [
            trip(context, server, "worker executable removed after start", "chaos-missing", [removed], remove_after_start=removed),
            trip(context, server, "worker script that exits 1 at once", "chaos-exit-1", [failing]),
        ]
    finally:
        server.remove()
        shutil.rmtree(scratch, ignore_errors=True)


def trip(context, server, what, queue, command, remove_after_start=None):
    """With `remove_after_start`, the supervisor starts on an empty queue, the file is removed, and
    then the jobs arrive; otherwise the jobs wait before the supervisor starts."""
    result = Result(f"{what}: breaker at {MAX_CRASHES} crashes", jobs=JOBS)
    client = Redis(server.port)
    supervisor = None
    try:
        ids = [] if remove_after_start else workers.enqueue(context.binaries, server.url, queue, JOBS)
        supervisor = supervision.Supervise(context.binaries, server.url, queue, ["--max-crashes", str(MAX_CRASHES)],
                                           command, context.path(f"{queue}.supervise"))
        if remove_after_start:
            time.sleep(1)
            os.remove(remove_after_start)
            ids = workers.enqueue(context.binaries, server.url, queue, JOBS)
        status = supervisor.wait(EXIT_SECONDS)
        result.expect(status == 3, f"jobq supervise exited with {status}, not 3" if status is not None
                      else f"jobq supervise still ran after {EXIT_SECONDS} s")
        if status is None:
            supervisor.kill()

        started = counters(client, queue).get("launches", 0)
        refused = sum("] cannot start the worker:" in line for line in supervisor.log_lines())
        attempts = started + refused
        result.expect(0 < attempts <= MAX_CRASHES, f"{attempts} launch attempts for a breaker at {MAX_CRASHES} crashes")
        shown, _ = supervision.breaker_text(context.binaries, server.url, queue)
        breaker_line = shown.splitlines()[0] if shown else "(nothing)"
        result.expect(breaker_line.startswith("breaker: TRIPPED"), f"jobq breaker says “{breaker_line}”")

        outcome, reasons = audit(client, queue, ids, [])
        result.take_audit(outcome, reasons)
        result.expect(outcome["waiting"] == JOBS, f"only {outcome['waiting']} of {JOBS} jobs still wait")
        cgroups = supervision.leftover_cgroups(queue)
        result.expect(not cgroups, f"cgroup directories left at the end: {', '.join(cgroups)}")

        if supervisor.cpu_seconds is not None:
            result.expect(supervisor.cpu_seconds < CPU_LIMIT_SECONDS,
                          f"the supervisor and its workers used {supervisor.cpu_seconds:.2f} s of CPU")
            result.notes.append(f"{attempts} launch attempts ({refused} refused at start), exit 3 after "
                                f"{supervisor.ran_seconds:.1f} s; CPU of the supervisor and its workers: "
                                f"{supervisor.cpu_seconds:.2f} s ({100 * supervisor.cpu_seconds / supervisor.ran_seconds:.1f} % of a core)")
        result.notes.append(f"`jobq breaker` shows “{breaker_line}”")
        result.recovery = "n/a (the breaker holds it until reset)"
    finally:
        if supervisor is not None:
            supervisor.kill()
        client.close()
    return result
