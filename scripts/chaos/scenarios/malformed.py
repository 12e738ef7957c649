"""10,000 messages pushed straight onto the waiting list by a foreign client: half valid jobs,
half hostile (see hostile.py). Every valid one must complete, every hostile one must end as a
`malformed:` dead letter (a reference to a job that does not exist, which is what an evicted job
looks like, is counted lost instead), and the one worker must never die."""
from collections import Counter
import os

from audit import counters, dead_letters, unsettled
from redis_server import RedisServer
from resp import Redis
from result import Result
import hostile
import workers

MESSAGES = int(os.environ.get("CHAOS_MALFORMED_MESSAGES", "10000"))
QUEUE = "chaos-malformed"
REFERENCE = "reference to no job"


def run(context):
    result = Result(f"{MESSAGES:,} messages pushed by a foreign client, half hostile", jobs=MESSAGES)
    items = hostile.messages(MESSAGES, context.seed)
    server = RedisServer().start()
    try:
        client = Redis(server.port)
        wait_key = f"jobq:{{{QUEUE}}}:wait"
        for offset in range(0, len(items), 200):
            replies = client.pipeline([("LPUSH", wait_key, raw) for raw, _ in items[offset:offset + 200]])
            result.expect(all(isinstance(r, int) for r in replies), "Redis refused a push")
        log = context.path("malformed.log")
        worker = workers.Worker(context.binaries, server.url, QUEUE, log, "--idle-exit", "3")
        status = worker.wait(timeout=120)
        result.expect(status == 0, f"the worker exited with {status} ({worker.last_words()})")

        valid_ids = {f"valid-{n}" for n in range(sum(1 for _, kind in items if kind == "valid"))}
        ran = Counter(job_id for job_id, _ in workers.runs(log))
        dead = dead_letters(client, QUEUE)
        left = unsettled(client, QUEUE)
        valid_done = sum(1 for job_id in valid_ids if ran[job_id])
        valid_dead = sum(1 for job_id in valid_ids if job_id in dead)
        hostile_ran = sum(count for job_id, count in ran.items() if job_id not in valid_ids)

        # Which hostile kind each dead letter was, by its kept text.
        kind_of = {raw[:hostile.KEPT_BYTES]: kind for raw, kind in items if kind != "valid"}
        pushed = Counter(kind for _, kind in items if kind != "valid")
        malformed = Counter(kind_of.get(body, "?") for job_id, (reason, body) in dead.items()
                            if job_id not in valid_ids and reason.startswith("malformed:"))

        result.completed = valid_done + hostile_ran
        result.duplicates = sum(count - 1 for count in ran.values() if count > 1)
        result.dead = len(dead)
        result.waiting = left
        # A reference to a job whose hash does not exist is what an evicted job looks like: it is
        # dropped and counted lost (no dead letter), not taken for malformed input.
        references = pushed.pop(REFERENCE, 0)
        counted_lost = counters(client, QUEUE).get("lost", 0)
        result.expect(counted_lost == references, f"{counted_lost} references counted lost, not {references}")
        result.lost = len(items) - result.completed - result.dead - left - counted_lost
        result.expect(result.lost == 0, f"{result.lost} messages neither ran, nor are dead letters, nor wait, nor were counted lost")
        result.expect(valid_done == len(valid_ids), f"{len(valid_ids) - valid_done} valid jobs did not complete")
        result.expect(valid_dead == 0, f"{valid_dead} valid jobs were dead-lettered")
        result.expect(hostile_ran == 0, f"{hostile_ran} hostile messages were run as jobs")
        hostile_total = sum(pushed.values())
        short = {kind: count - malformed[kind] for kind, count in pushed.items() if malformed[kind] < count}
        for kind, missing in short.items():
            result.expect(False, f"{missing} of {pushed[kind]} '{kind}' messages did not end as malformed dead letters")
        stats = counters(client, QUEUE)
        result.notes.append(f"valid: {valid_done:,} of {len(valid_ids):,} completed; hostile: "
                            f"{sum(malformed.values()):,} of {hostile_total:,} malformed dead letters "
                            f"({', '.join(f'{kind} {malformed[kind]}/{count}' for kind, count in pushed.items())})")
        result.notes.append(f"{counted_lost:,} references to no job counted lost")
        result.notes.append(f"queue counters: malformed {stats.get('malformed', 0):,}, orphaned {stats.get('orphaned', 0):,}, "
                            f"processed {stats.get('processed', 0):,}")
        result.recovery = "n/a (no outage)"
        client.close()
    finally:
        server.remove()
    return result
