"""Huey with RedisHuey: `huey_consumer -w 1 -k thread` (blocking reads, the RedisHuey default)."""
import time

from huey import RedisHuey

import common

huey = RedisHuey("bench", url=common.REDIS_URL)


@huey.task()
def noop(mark=None, sent=None):
    common.record(mark, sent)


class Peer:
    name = "Huey"
    package = "huey"
    settings = "`huey_consumer -w 1 -k thread`: one worker thread, RedisHuey defaults (blocking BRPOP, results kept)"
    batch_api = "`task.map(...)` (one message per job, no pipeline)"
    worker_argv = ["huey_consumer", "huey_peer.huey", "--workers", "1", "--worker-type", "thread", "--logfile", "/dev/null", "--quiet"]

    def enqueue_each(self, count):
        return common.time_each(lambda mark: noop(mark=mark), count)

    def enqueue_batches(self, count, size):
        return common.time_batches(lambda n: noop.map([None] * n), count, size)

    def send_probe(self):
        noop(sent=time.time())

    def remaining(self):
        return huey.pending_count()

    def close(self):
        pass
