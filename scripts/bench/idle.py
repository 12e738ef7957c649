"""Idle footprint: every worker started on an empty queue at once, then the CPU share and resident
memory of each worker's whole session (the worker and its children) over one window."""
import statistics
import time

import procstat


def measure(workers, warmup, window):
    """`workers` maps a name to a started WorkerProcess; returns per name the CPU used in % of one
    core over the window and the median of once-a-second RSS samples."""
    time.sleep(warmup)
    start_ticks = {name: procstat.cpu_ticks(procstat.session_members(w.pid)) for name, w in workers.items()}
    samples = {name: [] for name in workers}
    began = time.monotonic()
    while time.monotonic() - began < window:
        for name, worker in workers.items():
            samples[name].append(procstat.rss_bytes(procstat.session_members(worker.pid)))
        time.sleep(1)
    elapsed = time.monotonic() - began
    results = {}
    for name, worker in workers.items():
        members = procstat.session_members(worker.pid)
        ticks = procstat.cpu_ticks(members) - start_ticks[name]
        alive = worker.process.poll() is None
        results[name] = {
            "cpu_percent": 100.0 * ticks / procstat.CLOCK_TICKS / elapsed if alive else None,
            "rss_bytes": statistics.median(samples[name]) if alive else None,
            "processes": len(members),
        }
    return results
