"""Celery with its Redis broker: `celery worker --concurrency 1` (default prefork pool)."""
import time

from celery import Celery, group

import common

app = Celery("celery_peer", broker=common.REDIS_URL)
app.conf.update(task_ignore_result=True, broker_connection_retry_on_startup=True)


@app.task(name="noop")
def noop(mark=None, sent=None):
    common.record(mark, sent)


class Peer:
    name = "Celery"
    package = "celery"
    settings = "`celery worker -c 1`: prefork pool with one child, prefetch multiplier 4, no result backend"
    batch_api = "`group(...).apply_async()` (one message per job, no pipeline)"
    worker_argv = ["celery", "-A", "celery_peer", "worker", "--concurrency", "1", "--loglevel", "WARNING"]

    def enqueue_each(self, count):
        return common.time_each(lambda mark: noop.apply_async(kwargs={"mark": mark}), count)

    def enqueue_batches(self, count, size):
        return common.time_batches(lambda n: group(noop.s() for _ in range(n)).apply_async(), count, size)

    def send_probe(self):
        noop.apply_async(kwargs={"sent": time.time()})

    def remaining(self):
        with app.connection_for_write() as connection:
            return connection.default_channel.client.llen("celery")

    def close(self):
        pass
