"""The end of every scenario: each job enqueued is looked up, never assumed. A job is completed
(its record is gone and the worker's log shows it ran), a dead letter (with its reason), still
waiting (waiting, delayed or running), or lost (none of these)."""
from collections import Counter


def keys(queue):
    return f"jobq:{{{queue}}}:"


def audit(client, queue, ids, runs):
    """Outcome counts for `ids`; `runs` is the worker log's list of (id, start)."""
    ran = Counter(job_id for job_id, _ in runs)
    prefix = keys(queue)
    outcome = Counter()
    reasons = Counter()
    for offset in range(0, len(ids), 1000):
        chunk = ids[offset:offset + 1000]
        replies = client.pipeline([("HMGET", f"{prefix}job:{job_id}", "state", "dead_reason") for job_id in chunk])
        for job_id, (state, reason) in zip(chunk, replies):
            if state is None or state == b"completed":  # deleted, or kept in the queue's history
                outcome["completed" if ran[job_id] else "lost"] += 1
            elif state == b"dead":
                outcome["dead"] += 1
                reasons[reason_kind(reason)] += 1
            else:
                outcome["waiting"] += 1
    wanted = set(ids)
    outcome["duplicates"] = sum(count - 1 for job_id, count in ran.items() if count > 1 and job_id in wanted)
    return outcome, reasons


def dead_letters(client, queue):
    """Every dead letter of the queue: id -> (reason, the message as kept: its first 64 KiB)."""
    prefix = keys(queue)
    members = client("ZRANGE", f"{prefix}dead", 0, -1)
    replies = client.pipeline([("HMGET", f"{prefix}job:{m.decode()}", "dead_reason", "body") for m in members])
    return {m.decode(): ((reason or b"").decode(errors="replace"), body or b"") for m, (reason, body) in zip(members, replies)}


def counters(client, queue):
    """The queue's all-time counters (enqueued, processed, malformed, orphaned, ...)."""
    reply = client("HGETALL", f"{keys(queue)}stats")
    return {reply[i].decode(): int(reply[i + 1]) for i in range(0, len(reply), 2)}


def unsettled(client, queue):
    """Entries still waiting (at any priority; a wake entry `!` is not a job), delayed or running."""
    prefix = keys(queue)
    normal, wakes, high, low, delayed, active = client.pipeline([
        ("LLEN", f"{prefix}wait"), ("LPOS", f"{prefix}wait", "!", "COUNT", 0), ("LLEN", f"{prefix}wait:high"),
        ("LLEN", f"{prefix}wait:low"), ("ZCARD", f"{prefix}delayed"), ("ZCARD", f"{prefix}active")])
    return normal - len(wakes) + high + low + delayed + active


def reason_kind(reason):
    """The part of a dead-letter reason before its details ("malformed", "poison", ...)."""
    text = (reason or b"").decode(errors="replace")
    return text.split(":", 1)[0].strip() or "unknown"
