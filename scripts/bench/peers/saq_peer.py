"""SAQ: `saq saq_peer.settings` with concurrency 1."""
import asyncio
import time

from saq import Queue

import common

queue = Queue.from_url(common.REDIS_URL, name="bench")


async def noop(ctx, *, mark=None, sent=None):
    common.record(mark, sent)


settings = {"queue": queue, "functions": [noop], "concurrency": 1}


class Peer:
    name = "SAQ"
    package = "saq"
    settings = "`saq` worker, `concurrency = 1`, defaults otherwise (blocking BLMOVE)"
    batch_api = "none: `asyncio.gather` of `enqueue` calls"
    worker_argv = ["saq", "saq_peer.settings", "--quiet"]

    def __init__(self):
        self.runner = common.AsyncRunner()
        self.runner.run(queue.connect())

    def enqueue_each(self, count):
        return self.runner.run(common.time_each_async(lambda mark: queue.enqueue("noop", mark=mark), count))

    def enqueue_batches(self, count, size):
        async def send(n):
            await asyncio.gather(*(queue.enqueue("noop") for _ in range(n)))
        return self.runner.run(common.time_batches_async(send, count, size))

    def send_probe(self):
        async def probe():
            await queue.enqueue("noop", sent=time.time())
        self.runner.run(probe())

    def remaining(self):
        return self.runner.run(queue.count("queued"))

    def close(self):
        self.runner.run(queue.disconnect())
        self.runner.close()
