"""`make bench`: raw Redis, jobq and the popular Python Redis queues measured on one private Redis
in one run. Settings come from the environment (see docs/benchmarks.md); the results are saved as
JSON in the scratch directory and rendered as the tables in docs/benchmarks.md and on stdout.

Runs in the harness's virtual environment; each peer runs in its own (see peer_run.py)."""
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "peers"), HERE]

import idle  # noqa: E402
import jobq_side  # noqa: E402
import peers_side  # noqa: E402
import raw  # noqa: E402
import rediskit  # noqa: E402
import report  # noqa: E402
from workerprocess import WorkerProcess  # noqa: E402

PEERS = ["rq", "celery", "dramatiq", "huey", "arq", "saq", "bullmq"]
METRICS = ["enqueue_each", "enqueue_batch", "drain", "p50_us", "p99_us", "samples", "memory_per_job"]
RAW_METRICS = ["LPUSH/rate", "LPUSH/p50_us", "LPUSH/p99_us", "LPUSH pipelined/rate", "LMOVE/rate",
               "LMOVE pipelined/rate", "EVALSHA/rate", "EVALSHA pipelined/rate", "memory_per_entry"]


def setting(name, default, kind=int):
    value = os.environ.get(name)
    return default if value in (None, "") else kind(value)


def read_settings():
    return {
        "jobs": setting("BENCH_N", 5000),
        "memory_jobs": setting("BENCH_MEMORY_N", 20000),
        "runs": setting("BENCH_RUNS", 3),
        "batch": setting("BENCH_BATCH", 100),
        "raw_requests": setting("BENCH_RAW_N", 50000),
        "raw_pipeline": 16,
        "latency_samples": setting("BENCH_LATENCY_SAMPLES", 200),
        "latency_budget": setting("BENCH_LATENCY_BUDGET", 6.0, float),
        "latency_gap": setting("BENCH_LATENCY_GAP_MS", 20.0, float) / 1000,
        "jobq_latency_samples": setting("BENCH_JOBQ_LATENCY_SAMPLES", 500),
        "drain_budget": setting("BENCH_DRAIN_BUDGET", 10.0, float),
        "startup_timeout": 60.0,
        "idle_seconds": setting("BENCH_IDLE_SECONDS", 30.0, float),
        "idle_warmup": 5.0,
        "scale_depths": [int(d) for d in os.environ.get("BENCH_SCALE_DEPTHS", "1000,100000,1000000").split(",") if d],
        "scale_sample": setting("BENCH_SCALE_SAMPLE", 10000),
    }


def progress(line):
    print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)


def loadavg():
    with open("/proc/loadavg") as file:
        return " ".join(file.read().split()[:3])


def median_of(runs, *path):
    values = []
    for run in runs:
        value = run
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None:
            values.append(value)
    return statistics.median(values) if values else None


class PeerEnvironment:
    """A peer's own virtual environment and what it says about itself."""

    def __init__(self, name, work_dir):
        self.name = name
        self.python = os.path.join(work_dir, f"venv-{name}", "bin", "python")
        output = subprocess.run([self.python, os.path.join(HERE, "peer_run.py"), name, "--describe"],
                                check=True, capture_output=True, text=True).stdout
        self.info = json.loads(output)

    def run(self, settings):
        environment = dict(os.environ, BENCH_SETTINGS=json.dumps(settings))
        output = subprocess.run([self.python, os.path.join(HERE, "peer_run.py"), self.name],
                                check=True, stdout=subprocess.PIPE, text=True, env=environment).stdout
        return json.loads(output)

    def worker(self, log_path):
        return peers_side.start_worker(self.info["worker_argv"], os.path.dirname(self.python), log_path)


def jobq_run(bin_dir, client, url, settings):
    bench_rows = jobq_side.bench(bin_dir, url, settings["jobs"], settings["batch"], settings["jobq_latency_samples"])
    rows = {row["name"]: row["value"] for row in bench_rows}
    return {
        "bench_rows": bench_rows,
        "enqueue_each": rows["enqueue, one at a time"],
        "enqueue_batch": rows[f"enqueue, batches of {settings['batch']}"],
        "drain": rows["drain, one worker, no-op"],
        "p50_us": rows["enqueue-to-start latency p50"],
        "p99_us": rows["enqueue-to-start latency p99"],
        "samples": settings["jobq_latency_samples"],
        "memory_per_job": jobq_side.memory_per_job(bin_dir, client, url, settings["memory_jobs"]),
    }


def idle_footprint(peers, bin_dir, url, work_dir, settings):
    workers = {"jobq": WorkerProcess([os.path.join(bin_dir, "ingest-worker"), "--queue", "bench-idle", "--redis", url],
                                     os.path.join(work_dir, "jobq-idle-worker.log"))}
    try:
        for peer in peers:
            workers[peer.info["name"]] = peer.worker(os.path.join(work_dir, f"{peer.name}-idle-worker.log"))
        return idle.measure(workers, settings["idle_warmup"], settings["idle_seconds"])
    finally:
        for worker in workers.values():
            worker.stop()


def summarize(results, names):
    runs = results["runs"]
    summary = {"raw": {key: median_of(runs, "raw", *key.split("/")) for key in RAW_METRICS}}
    for name in names:
        path = ("jobq",) if name == "jobq" else ("peers", name)
        summary[name] = {metric: median_of(runs, *path, metric) for metric in METRICS}
        notes = [run["peers"][name].get("drain_note") for run in runs] if name != "jobq" else []
        summary[name]["drain_note"] = next((note for note in notes if note), None)
    summary["jobq_bench"] = summarize_bench_rows([run["jobq"]["bench_rows"] for run in runs])
    return summary


def summarize_bench_rows(runs):
    """Every row of `jobq bench`, in its order: the median value and the median ratio over runs."""
    rows = []
    for first in runs[0]:
        same = [row for run in runs for row in run if row["name"] == first["name"]]
        ratios = [row["ratio"] for row in same if row.get("ratio") is not None]
        rows.append({"name": first["name"], "unit": first["unit"], "baseline": first.get("baseline"),
                     "value": statistics.median(row["value"] for row in same),
                     "ratio": statistics.median(ratios) if ratios else None})
    return rows


def main():
    url = os.environ["BENCH_REDIS_URL"]
    port = int(os.environ["BENCH_REDIS_PORT"])
    bin_dir = os.environ["JOBQ_BIN_DIR"]
    work_dir = os.environ["BENCH_DIR"]
    settings = read_settings()
    chosen = [p for p in os.environ.get("BENCH_PEERS", "").split(",") if p] or PEERS
    peers = [PeerEnvironment(name, work_dir) for name in PEERS if name in chosen]
    client = rediskit.connect(url)
    client.config_set("maxmemory-policy", "noeviction")
    began = time.monotonic()
    results = {
        "meta": {
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "redis": client.info("server")["redis_version"],
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_start": loadavg(),
            "settings": settings,
            "jobq_commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout.strip(),
        },
        "peers": [peer.info for peer in peers],
        "runs": [],
    }

    for number in range(1, settings["runs"] + 1):
        run = {"load": loadavg(), "peers": {}}
        progress(f"run {number}/{settings['runs']}: raw redis-benchmark, one client, plain and pipelined (-P 16)")
        run["raw"] = raw.measure(client, port, settings["raw_requests"], settings["raw_pipeline"])
        run["raw"]["memory_per_entry"] = raw.memory_per_entry(client, settings["memory_jobs"])
        progress(f"run {number}: jobq bench")
        run["jobq"] = jobq_run(bin_dir, client, url, settings)
        for peer in peers:
            run["peers"][peer.info["name"]] = peer.run(settings)
        results["runs"].append(run)

    progress(f"idle footprint: every worker on an empty queue for {settings['idle_seconds']:.0f} s")
    rediskit.flush(client)
    results["idle"] = idle_footprint(peers, bin_dir, url, work_dir, settings)
    if settings["scale_depths"]:
        results["scale"] = jobq_side.scale(bin_dir, client, url, settings["scale_depths"], settings["scale_sample"], 3, progress)

    results["meta"]["load_end"] = loadavg()
    results["meta"]["seconds"] = round(time.monotonic() - began)
    results["summary"] = summarize(results, ["jobq"] + [peer.info["name"] for peer in peers])
    with open(os.path.join(work_dir, "results.json"), "w") as file:
        json.dump(results, file, indent=2)
    text = report.render(results)
    print(text)
    if os.environ.get("BENCH_WRITE_DOCS", "1") == "1":
        report.write_docs(os.path.join(HERE, "..", "..", "docs", "benchmarks.md"), text)
    progress(f"done in {results['meta']['seconds']} s")


if __name__ == "__main__":
    main()
