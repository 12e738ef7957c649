"""A Redis that evicts (`maxmemory 20mb`, `allkeys-lru`). By default every jobq process refuses it:
`jobq enqueue`, `example-worker` and `jobq supervise` exit 78 with one line naming `noeviction`.
Forced with `--allow-eviction`, 30,000 jobs of about 700 bytes are enqueued past its memory, so Redis
evicts job hashes, and one worker drains the queue. Every job must be accounted for: completed (the
worker's log) + counted lost (the queue's `lost` counter) == enqueued, with no dead letter written
for an evicted job, and `jobq stats` must say LOST and show the keys Redis evicted."""
import json
import subprocess

from audit import counters, keys, unsettled
from redis_server import RedisServer
from resp import Redis
from result import Result
import workers

JOBS = 30000
QUEUE = "chaos-evict"
PADDING = "x" * 600
REFUSED = 78


def refused(run):
    """Whether a process was refused as an evicting Redis should be: status 78, the fix named."""
    lines = run.stderr.strip().splitlines()
    return run.returncode == REFUSED and len(lines) >= 1 and "maxmemory-policy noeviction" in lines[-1]


def run(context):
    result = Result(f"{JOBS:,} jobs into a 20 MB allkeys-lru Redis, forced with --allow-eviction", jobs=JOBS)
    server = RedisServer("--maxmemory", "20mb", "--maxmemory-policy", "allkeys-lru").start()
    env = workers.environment(server.url)
    binaries = context.binaries
    try:
        client = Redis(server.port)
        # Refused by default: nothing is written.
        checks = {
            "jobq enqueue": [binaries.jobq, "enqueue", QUEUE, "{}"],
            "example-worker": [binaries.example_worker, "work", QUEUE, "--idle-exit", "1"],
            "jobq supervise": [binaries.jobq, "supervise", QUEUE, "--no-cgroup", "--",
                               binaries.ingest_worker, "--queue", QUEUE, "--idle-exit", "1s"],
        }
        for name, argv in checks.items():
            outcome = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
            result.expect(refused(outcome), f"{name} was not refused (status {outcome.returncode}: {outcome.stderr.strip()[-200:]})")
        result.expect(client("DBSIZE") == 0, "a refused process wrote to Redis")
        result.notes.append(f"refused by default with status {REFUSED}: {', '.join(checks)}")

        # Forced: enqueue past maxmemory, then drain.
        payloads = [json.dumps({"n": n, "pad": PADDING}) for n in range(JOBS)]
        enqueued = subprocess.run([binaries.jobq, "enqueue", QUEUE, "--jsonl", "-", "--allow-eviction"], input="\n".join(payloads) + "\n",
                                  env=env, capture_output=True, text=True, timeout=600)
        ids = enqueued.stdout.split()
        result.expect(enqueued.returncode == 0 and len(ids) == JOBS, f"enqueue: status {enqueued.returncode}, {len(ids)} ids")
        warnings = [line for line in enqueued.stderr.splitlines() if "warning" in line]
        result.expect(len(warnings) == 1, f"--allow-eviction printed {len(warnings)} warnings, not one")
        evicted_before = info_field(client, "stats", "evicted_keys")

        log = context.path("eviction.log")
        worker = workers.Worker(binaries, server.url, QUEUE, log, "--idle-exit", "3", "--allow-eviction")
        status = worker.wait(timeout=600)
        result.expect(status == 0, f"the worker exited with {status} ({worker.last_words()})")

        runs = workers.runs(log)
        ran = {job_id for job_id, _ in runs}
        stats = counters(client, QUEUE)
        counted_lost = stats.get("lost", 0)
        dead = client("ZCARD", f"{keys(QUEUE)}dead")
        left = unsettled(client, QUEUE)
        completed = len(ran & set(ids))
        result.completed = completed
        result.duplicates = len(runs) - len(ran)
        result.dead = dead
        result.waiting = left
        result.lost = counted_lost
        unaccounted = JOBS - completed - counted_lost - dead - left
        result.expect(unaccounted == 0, f"{unaccounted} jobs neither completed, nor counted lost, nor dead letters, nor waiting")
        result.expect(counted_lost > 0, "nothing was evicted: the scenario did not test eviction")
        result.expect(dead == 0, f"{dead} dead letters (an evicted job must be counted, not dead-lettered)")
        result.expect(stats.get("processed", 0) == completed, f"processed {stats.get('processed', 0)} but {completed} ran")

        shown = subprocess.run([binaries.jobq, "stats", QUEUE, "--json"], env=env, capture_output=True, text=True, timeout=60)
        document = json.loads(shown.stdout) if shown.returncode == 0 else {}
        verdict = (document.get("queues") or [{}])[0].get("verdict")
        result.expect(verdict == "lost", f"jobq stats verdict is {verdict}, not lost")
        evicted = (document.get("redis") or {}).get("evicted_keys")
        result.expect(isinstance(evicted, int) and evicted > 0, f"jobq stats shows evicted_keys {evicted}")
        result.notes.append(f"{JOBS:,} enqueued = {completed:,} completed + {counted_lost:,} counted lost "
                            f"(+ {dead} dead, {left} waiting); {evicted_before:,} keys evicted during the enqueue, "
                            f"{evicted:,} in all; jobq stats: {verdict.upper() if verdict else '?'}")
        result.recovery = "n/a (loss by design, counted)"
        client.close()
    finally:
        server.remove()
    return result


def info_field(client, section, name):
    for line in client("INFO", section).decode().splitlines():
        if line.startswith(name + ":"):
            return int(line.split(":", 1)[1])
    return 0
