"""jobq's figures: `jobq bench --json` (the library, in one process), Redis memory per waiting job,
and enqueue and drain rates with 1 k, 100 k and 1 M jobs already waiting."""
import json
import os
import statistics
import subprocess
import time

import rediskit

QUEUE = "bench-jobq"


def _run(argv, stdin=None):
    subprocess.run(argv, input=stdin, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def bench(bin_dir, url, jobs, batch_size, latency_samples):
    """The rows of `jobq bench --json`, in its order: name, value, unit, and ratio and baseline where
    it has them."""
    argv = [os.path.join(bin_dir, "jobq"), "bench", "--redis", url, "--jobs", str(jobs),
            "--batch-size", str(batch_size), "--latency-samples", str(latency_samples), "--memory-jobs", "0", "--json"]
    output = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def _jsonl(count, start=0):
    return "".join('{"n":%d}\n' % n for n in range(start, start + count)).encode()


def enqueue_jsonl(bin_dir, url, count, start=0):
    """Seconds `jobq enqueue --jsonl -` takes for `count` no-op jobs (whole process)."""
    argv = [os.path.join(bin_dir, "jobq"), "enqueue", QUEUE, "--redis", url, "--type", "noop", "--jsonl", "-"]
    lines = _jsonl(count, start)
    began = time.perf_counter()
    _run(argv, lines)
    return time.perf_counter() - began


def drain(bin_dir, url, count):
    """Seconds `ingest-worker --max-jobs count` takes to run `count` no-op jobs (whole process)."""
    argv = [os.path.join(bin_dir, "ingest-worker"), "--queue", QUEUE, "--redis", url, "--max-jobs", str(count)]
    began = time.perf_counter()
    _run(argv)
    return time.perf_counter() - began


def memory_per_job(bin_dir, client, url, count):
    """Redis bytes per waiting no-op job enqueued by `jobq enqueue --jsonl`."""
    rediskit.flush(client)
    before = rediskit.used_memory(client)
    enqueue_jsonl(bin_dir, url, count)
    per_job = (rediskit.used_memory(client) - before) / count
    rediskit.flush(client)
    return per_job


def scale(bin_dir, client, url, depths, sample, repeats, progress):
    """At each depth: fill the queue to it, then time `sample` more enqueued and `sample` drained
    (median of `repeats`, process start subtracted); also Redis bytes per waiting job."""
    rediskit.flush(client)
    enqueue_jsonl(bin_dir, url, sample)
    startup_enqueue = statistics.median(enqueue_jsonl(bin_dir, url, 1) for _ in range(3))
    startup_drain = statistics.median(drain(bin_dir, url, 1) for _ in range(3))
    rows = []
    for depth in depths:
        progress(f"jobq scale: filling to {depth:,} waiting jobs")
        rediskit.flush(client)
        before = rediskit.used_memory(client)
        filled = 0
        fill_seconds = 0.0
        while filled < depth:
            chunk = min(200_000, depth - filled)
            fill_seconds += max(1e-6, enqueue_jsonl(bin_dir, url, chunk, filled) - startup_enqueue)
            filled += chunk
        memory = (rediskit.used_memory(client) - before) / depth
        enqueue_rates, drain_rates = [], []
        for _ in range(repeats):
            enqueue_rates.append(sample / max(1e-6, enqueue_jsonl(bin_dir, url, sample) - startup_enqueue))
            drain_rates.append(sample / max(1e-6, drain(bin_dir, url, sample) - startup_drain))
        rows.append({
            "depth": depth,
            "fill_rate": depth / fill_seconds,
            "enqueue_rate": statistics.median(enqueue_rates),
            "drain_rate": statistics.median(drain_rates),
            "memory_per_job": memory,
        })
    rediskit.flush(client)
    return {"rows": rows, "startup_enqueue_s": startup_enqueue, "startup_drain_s": startup_drain}
