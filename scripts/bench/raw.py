"""The raw limit: what one redis-benchmark client gets from the same server, and what a bare
list entry costs in memory."""
import csv
import io
import subprocess

import rediskit


def _benchmark(port, requests, pipeline, command):
    """Runs redis-benchmark with one client; returns rate (ops/s) and p50/p99 latency (µs)."""
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-c", "1", "-n", str(requests),
            "-P", str(pipeline), "--csv"] + command
    output = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    rows = list(csv.DictReader(io.StringIO(output)))
    row = rows[-1]
    return {
        "rate": float(row["rps"]),
        "p50_us": float(row["p50_latency_ms"]) * 1000,
        "p99_us": float(row["p99_latency_ms"]) * 1000,
    }


def measure(client, port, requests, pipeline_depth):
    """Single-client and pipelined LPUSH, LMOVE and EVALSHA of `return 1`."""
    client.rpush("bench:raw:ring", "x")
    sha = client.script_load("return 1")
    commands = {
        "LPUSH": ["lpush", "bench:raw:list", "{}"],
        "LMOVE": ["lmove", "bench:raw:ring", "bench:raw:ring", "RIGHT", "LEFT"],
        "EVALSHA": ["evalsha", sha, "0"],
    }
    results = {}
    for name, command in commands.items():
        results[name] = _benchmark(port, requests, 1, command)
        results[name + " pipelined"] = _benchmark(port, requests, pipeline_depth, command)
    rediskit.flush(client)
    return results


def memory_per_entry(client, count):
    """Bytes per entry of a plain Redis list holding `count` copies of the smallest job message."""
    rediskit.flush(client)
    before = rediskit.used_memory(client)
    message = '{"payload":{}}'
    pipe = client.pipeline(transaction=False)
    for index in range(count):
        pipe.lpush("bench:raw:memory", message)
        if index % 1000 == 999:
            pipe.execute()
    pipe.execute()
    per_entry = (rediskit.used_memory(client) - before) / count
    rediskit.flush(client)
    return per_entry
