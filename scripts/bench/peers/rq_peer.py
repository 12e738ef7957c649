"""RQ: `rq worker` (its default Worker class, which forks a work horse per job)."""
import time

import redis
from rq import Queue

import common

QUEUE = "bench"


def noop(mark=None, sent=None):
    common.record(mark, sent)


class Peer:
    name = "RQ"
    package = "rq"
    settings = "`rq worker` defaults: one worker, forks a work horse per job; results kept 500 s"
    batch_api = "`Queue.enqueue_many` (one pipeline)"
    worker_argv = ["rq", "worker", "--url", common.REDIS_URL, "--logging_level", "WARNING", QUEUE]

    def __init__(self):
        self.queue = Queue(QUEUE, connection=redis.Redis.from_url(common.REDIS_URL))

    def enqueue_each(self, count):
        return common.time_each(lambda mark: self.queue.enqueue(noop, mark=mark), count)

    def enqueue_batches(self, count, size):
        def send(n):
            self.queue.enqueue_many([Queue.prepare_data(noop) for _ in range(n)])
        return common.time_batches(send, count, size)

    def send_probe(self):
        self.queue.enqueue(noop, sent=time.time())

    def remaining(self):
        return self.queue.count

    def close(self):
        pass
