"""Dramatiq with its Redis broker: `dramatiq --processes 1 --threads 1`."""
import time

import dramatiq
from dramatiq.brokers.redis import RedisBroker

import common

broker = RedisBroker(url=common.REDIS_URL)
dramatiq.set_broker(broker)


@dramatiq.actor(queue_name="bench")
def noop(mark=None, sent=None):
    common.record(mark, sent)


class Peer:
    name = "Dramatiq"
    package = "dramatiq"
    settings = "`dramatiq --processes 1 --threads 1`, default middleware (retries, time limit, ...)"
    batch_api = "`group([...]).run()` (one message per job, no pipeline)"
    worker_argv = ["dramatiq", "dramatiq_peer", "--processes", "1", "--threads", "1"]

    def enqueue_each(self, count):
        return common.time_each(lambda mark: noop.send(mark=mark), count)

    def enqueue_batches(self, count, size):
        return common.time_batches(lambda n: dramatiq.group(noop.message() for _ in range(n)).run(), count, size)

    def send_probe(self):
        noop.send(sent=time.time())

    def remaining(self):
        # Messages stay in the queue's hash until acked; the list holds only ids still waiting.
        return broker.client.hlen("dramatiq:bench.msgs")

    def close(self):
        broker.close()
