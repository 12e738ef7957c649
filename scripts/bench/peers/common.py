"""What every peer's no-op task and producer share: the Redis URL, the two markers that time a
drain, and the probe that times enqueue-to-start latency.

The task body is a no-op unless it carries a marker or a probe time: then it writes one small
entry to Redis after noting the time, so the measurement costs the queue nothing it would not
otherwise do for the other jobs."""
import asyncio
import os
import time

import redis

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
MARKS_KEY = "bench:marks"
PROBES_KEY = "bench:probes"

_client = None


def client():
    """One synchronous connection per process, made on first use."""
    global _client
    if _client is None:
        _client = redis.Redis.from_url(REDIS_URL)
    return _client


def record(mark=None, sent=None):
    """The task body: note the start time, then report it if this job is a marker or a probe."""
    started = time.time()
    if mark:
        client().hset(MARKS_KEY, mark, repr(started))
    if sent:
        client().rpush(PROBES_KEY, repr(started - float(sent)))


def marker(index, count):
    """The marker of job `index` of `count`: the first and last jobs time the drain."""
    if index == 0:
        return "first"
    if index == count - 1:
        return "last"
    return None


def time_each(send, count):
    """Seconds to send `count` jobs one call at a time; the first and last carry drain markers."""
    start = time.perf_counter()
    for index in range(count):
        send(mark=marker(index, count))
    return time.perf_counter() - start


def time_batches(send_batch, count, batch_size):
    """Seconds to send `count` jobs in calls of `batch_size` jobs."""
    start = time.perf_counter()
    for offset in range(0, count, batch_size):
        send_batch(min(batch_size, count - offset))
    return time.perf_counter() - start


async def time_each_async(send, count):
    """`time_each` for an asyncio client."""
    start = time.perf_counter()
    for index in range(count):
        await send(mark=marker(index, count))
    return time.perf_counter() - start


async def time_batches_async(send_batch, count, batch_size):
    """`time_batches` for an asyncio client."""
    start = time.perf_counter()
    for offset in range(0, count, batch_size):
        await send_batch(min(batch_size, count - offset))
    return time.perf_counter() - start


class AsyncRunner:
    """Runs an asyncio peer's coroutines from the synchronous harness on one event loop."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def close(self):
        self.loop.close()
