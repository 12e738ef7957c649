"""BullMQ for Python: a `Worker` with concurrency 1, run by `python bullmq_peer.py` until SIGTERM."""
import asyncio
import signal
import time

from bullmq import Queue, Worker

import common

QUEUE = "bench"


async def process(job, token):
    common.record(job.data.get("mark"), job.data.get("sent"))


async def work():
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stop.set)
    worker = Worker(QUEUE, process, {"connection": common.REDIS_URL, "concurrency": 1})
    await stop.wait()
    await worker.close()


class Peer:
    name = "BullMQ (Python)"
    package = "bullmq"
    settings = "`Worker(concurrency=1)`, defaults otherwise (completed jobs kept)"
    batch_api = "`Queue.addBulk` (one transaction)"
    worker_argv = ["python", "bullmq_peer.py"]

    def __init__(self):
        self.runner = common.AsyncRunner()
        self.queue = Queue(QUEUE, {"connection": common.REDIS_URL})

    def enqueue_each(self, count):
        return self.runner.run(common.time_each_async(lambda mark: self.queue.add("noop", {"mark": mark}), count))

    def enqueue_batches(self, count, size):
        async def send(n):
            await self.queue.addBulk([{"name": "noop", "data": {}} for _ in range(n)])
        return self.runner.run(common.time_batches_async(send, count, size))

    def send_probe(self):
        async def probe():
            await self.queue.add("noop", {"sent": time.time()})
        self.runner.run(probe())

    def remaining(self):
        return self.runner.run(self.queue.getJobCounts("wait"))["wait"]

    def close(self):
        self.runner.run(self.queue.close())
        self.runner.close()


if __name__ == "__main__":
    asyncio.run(work())
