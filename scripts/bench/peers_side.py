"""One peer's run on the shared Redis: enqueue one at a time, Redis memory per waiting job, drain
with one worker, enqueue-to-start latency to that (now idle) worker, enqueue in batches."""
import os
import statistics
import time

import common
import rediskit
from workerprocess import WorkerProcess

PEERS_DIR = os.path.dirname(os.path.abspath(common.__file__))


def start_worker(argv, venv_bin, log_path):
    """A peer's worker command, its program taken from the peer's virtual environment."""
    environment = dict(os.environ, PYTHONPATH=PEERS_DIR, PYTHONUNBUFFERED="1")
    return WorkerProcess([os.path.join(venv_bin, argv[0])] + argv[1:], log_path, cwd=PEERS_DIR, environment=environment)


def drain(peer, client, count, budget, startup_timeout):
    """Times the worker from the first job's start to the last job's start. A worker that cannot
    finish within `budget` seconds is timed on the jobs that left the queue in that time."""
    first = rediskit.wait_for_mark(client, common.MARKS_KEY, "first", startup_timeout)
    if first is None:
        return {"drain": None, "drain_note": "the worker ran no job"}
    waiting_at_first = peer.remaining()
    last = rediskit.wait_for_mark(client, common.MARKS_KEY, "last", budget)
    if last is not None and last > first:
        return {"drain": (count - 1) / (last - first), "drain_note": None}
    now = time.time()
    done = waiting_at_first - peer.remaining()
    return {"drain": done / (now - first), "drain_note": f"{done:,} of {count:,} jobs in {now - first:.0f} s"}


def latency(peer, client, samples, budget, gap):
    """Sends probes one at a time to an idle worker: each waits for the previous one to start, then
    `gap` seconds. The first probe only wakes the worker up and is not counted. Returns p50 and
    p99 in µs and how many samples fit in `budget` seconds."""
    client.delete(common.PROBES_KEY)
    micros = []
    deadline = time.monotonic() + budget
    for index in range(samples + 1):
        if index > 0 and time.monotonic() >= deadline:
            break
        time.sleep(gap)
        peer.send_probe()
        reply = client.blpop(common.PROBES_KEY, timeout=30 if index == 0 else max(1, int(deadline - time.monotonic()) + 2))
        if reply is None:
            break
        if index > 0:
            micros.append(float(reply[1]) * 1_000_000)
    if not micros:
        return {"p50_us": None, "p99_us": None, "samples": 0}
    micros.sort()
    return {
        "p50_us": statistics.median(micros),
        "p99_us": micros[min(len(micros) - 1, int(len(micros) * 0.99))],
        "samples": len(micros),
    }


def run(peer, client, settings, log_path, progress):
    """All figures of one peer for one run, each phase on an emptied database."""
    n = settings["jobs"]
    result = {}
    rediskit.flush(client)
    before = rediskit.used_memory(client)
    progress(f"{peer.name}: enqueue {n:,} one at a time")
    result["enqueue_each"] = n / peer.enqueue_each(n)
    result["memory_per_job"] = (rediskit.used_memory(client) - before) / n

    progress(f"{peer.name}: drain {n:,} with one worker")
    worker = start_worker(peer.worker_argv, settings["venv_bin"], log_path)
    try:
        result.update(drain(peer, client, n, settings["drain_budget"], settings["startup_timeout"]))
        if result["drain_note"] is not None:
            # Jobs are still queued: start over with an empty queue and a fresh, idle worker.
            worker.stop()
            rediskit.flush(client)
            worker = start_worker(peer.worker_argv, settings["venv_bin"], log_path)
        progress(f"{peer.name}: enqueue-to-start latency")
        result.update(latency(peer, client, settings["latency_samples"], settings["latency_budget"], settings["latency_gap"]))
    finally:
        worker.stop()

    rediskit.flush(client)
    progress(f"{peer.name}: enqueue {n:,} in batches of {settings['batch']}")
    result["enqueue_batch"] = n / peer.enqueue_batches(n, settings["batch"])
    rediskit.flush(client)
    return result
