"""A worker draining through redis+sentinel:// while the master fails over twice: first a
`SENTINEL FAILOVER` (the old master goes on taking writes until the sentinels switch and the worker
notices), then, once the old master has rejoined as a replica, the new master SIGKILLed (the
sentinels promote the replica after 1 s of silence). The worker must follow both times, never die,
and lose no job; acks the demoted master took after the promotion are lost, so those jobs run twice."""
import time

from audit import audit
from resp import Redis
from result import Result
from sentinel_group import MASTER_NAME, SentinelGroup
import workers

QUEUE = "chaos-sentinel"


def takes_jobs_from(port, queue, seconds=30):
    """Whether the worker takes a job from the master on `port` (its waiting list shrinks) within `seconds`."""
    deadline = time.monotonic() + seconds
    key = f"jobq:{{{queue}}}:wait"
    client = Redis(port, timeout=2)
    try:
        start = client("LLEN", key)
        while time.monotonic() < deadline:
            if client("LLEN", key) < start:
                return True
            time.sleep(0.02)
    finally:
        client.close()
    return False


def run(context):
    result = Result("Sentinel: SENTINEL FAILOVER, then the new master SIGKILLed, mid-drain", jobs=6000)
    group = SentinelGroup()
    try:
        ids = workers.enqueue(context.binaries, group.url, QUEUE, result.jobs)
        log = context.path("sentinel-failover.log")
        worker = workers.Worker(context.binaries, group.url, QUEUE, log, "--job-ms", "3", "--idle-exit", "5",
                                "--lease-ms", "3000", "--consumer-ttl-ms", "3000")
        result.expect(workers.wait_for_runs(log, result.jobs // 5, 60), "the worker did not get going")

        first = group.master_port()
        began = time.monotonic()
        group.sentinels[0]("SENTINEL", "FAILOVER", MASTER_NAME)
        second = group.wait_for_new_master(first)
        result.expect(second is not None, "SENTINEL FAILOVER promoted no new master")
        failover_follow = None
        if second is not None and takes_jobs_from(second, QUEUE):
            failover_follow = time.monotonic() - began
        result.expect(failover_follow is not None, "the worker did not follow the failover")

        # The sentinels demote the old master to a replica of the new one; once it is in sync the
        # new master is killed, and the old one is promoted again.
        result.expect(group.wait_for_replica(first), "the old master did not rejoin as a replica")
        result.expect(worker.alive(), "the worker died in the failover")
        group.node(second).crash()
        killed = time.monotonic()
        third = group.wait_for_new_master(second)
        result.expect(third == first, "the sentinels promoted no replica after the master was killed")
        kill_follow = None
        if third is not None and takes_jobs_from(third, QUEUE):
            kill_follow = time.monotonic() - killed
        result.expect(kill_follow is not None, "the worker did not follow the killed master's replacement")

        status = worker.wait(timeout=120)
        result.expect(status == 0, f"the worker exited with {status}: {worker.last_words()}")
        client = Redis(third or first)
        outcome, reasons = audit(client, QUEUE, ids, workers.runs(log))
        client.close()
        result.take_audit(outcome, reasons)
        result.expect(outcome["waiting"] == 0, f"the worker stopped with {outcome['waiting']} jobs still waiting")
        parts = []
        if failover_follow is not None:
            parts.append(f"on the new master {failover_follow:.1f} s after SENTINEL FAILOVER")
        if kill_follow is not None:
            parts.append(f"{kill_follow:.1f} s after the master was killed")
        result.recovery = ", ".join(parts) or "did not recover"
        result.notes.append("the duplicates are acks the old master took after the promotion, until the sentinels "
                            "switched and the worker's next check of them (every second) moved it")
    finally:
        group.remove()
    return result
