"""A three-master Redis Cluster; one queue on each master, a worker on each reached through
another master's address; while they drain, the three slots move at once, each to the next
master, the way `redis-cli --cluster reshard` moves a slot (keys in batches of 10, slowed down so
that the migrations last seconds). While a queue's slot is split, its scripts are refused with
TRYAGAIN and its worker backs off; afterwards the worker follows MOVED to the new master."""
import os
import time
import uuid
from collections import Counter

from audit import audit
from redis_cluster import RedisCluster
from resp import Redis
from result import Result
import workers

JOBS = int(os.environ.get("CHAOS_RESHARD_JOBS", "3000"))
# A pause after each round of batches, so that each queue stays split between two masters for a
# few seconds (its scripts refused with TRYAGAIN, its worker backing off).
STEP_PAUSE = 0.01


def queue_names(cluster):
    """One queue name per master, in the order of cluster.nodes."""
    found = {}
    while len(found) < len(cluster.nodes):
        name = f"chaos-reshard-{uuid.uuid4().hex[:6]}"
        owner = cluster.owner(cluster.slot(f"jobq:{{{name}}}:"))
        found.setdefault(owner.port, name)
    return [found[node.port] for node in cluster.nodes]


def run(context):
    result = Result(f"slot migration mid-drain on a 3-master cluster ({JOBS:,} jobs on each of 3 queues)", jobs=3 * JOBS)
    cluster = RedisCluster().start()
    try:
        nodes = cluster.nodes
        queues = queue_names(cluster)
        ids = {q: workers.enqueue(context.binaries, nodes[(i + 1) % 3].url, q, JOBS) for i, q in enumerate(queues)}
        result.expect(all(len(v) == JOBS for v in ids.values()), "enqueue printed too few ids")
        logs = {q: context.path(f"cluster-reshard-{i}.log") for i, q in enumerate(queues)}
        running = [workers.Worker(context.binaries, nodes[(i + 2) % 3].url, q, logs[q], "--job-ms", "1", "--idle-exit", "3")
                   for i, q in enumerate(queues)]
        for q in queues:
            workers.wait_for_runs(logs[q], JOBS // 10, timeout=60)
        began = time.monotonic()
        ran_before = sum(len(workers.runs(logs[q])) for q in queues)
        slots = [cluster.slot(f"jobq:{{{q}}}:") for q in queues]
        moved = cluster.migrate([(slot, nodes[(i + 1) % 3]) for i, slot in enumerate(slots)], pause=STEP_PAUSE)
        for q, slot, count in zip(queues, slots, moved):
            context.progress(f"  {q}: slot {slot} moved ({count:,} keys), {len(workers.runs(logs[q])):,} runs logged")
        migration = time.monotonic() - began
        ran_after = sum(len(workers.runs(logs[q])) for q in queues)
        result.expect(ran_after < 3 * JOBS, "the workers had drained everything before the last migration ended")
        statuses = [w.wait(timeout=180) for w in running]
        result.expect(all(s == 0 for s in statuses), f"worker exit statuses {statuses}")

        total, reasons = Counter(), Counter()
        for i, q in enumerate(queues):
            owner = cluster.owner(cluster.slot(f"jobq:{{{q}}}:"))
            result.expect(owner is nodes[(i + 1) % 3], f"{q} is not on its new master")
            client = Redis(owner.port)
            outcome, why = audit(client, q, ids[q], workers.runs(logs[q]))
            client.close()
            total.update(outcome)
            reasons.update(why)
        result.take_audit(total, reasons)
        result.expect(total["completed"] == 3 * JOBS, f"{total['completed']} of {3 * JOBS} jobs completed")
        result.recovery = f"3 slots moved ({sum(moved):,} keys) in {migration:.1f} s; every worker drained its queue"
        result.notes.append(f"{ran_before:,} runs before the first migration, {ran_after:,} when the last ended; "
                            "workers reached each queue through another master's address")
    finally:
        cluster.remove()
    return result
