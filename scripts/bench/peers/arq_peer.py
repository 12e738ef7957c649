"""arq: `arq WorkerSettings` with max_jobs 1 (it polls the queue every 0.5 s by default)."""
import asyncio
import time

from arq import create_pool
from arq.connections import RedisSettings
from arq.constants import default_queue_name

import common


async def noop(ctx, mark=None, sent=None):
    common.record(mark, sent)


# arq logs every job at INFO by default; WARNING matches the other workers, which log no line per job.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"level": "WARNING", "class": "logging.StreamHandler"}},
    "loggers": {"arq": {"handlers": ["stderr"], "level": "WARNING"}},
}


class WorkerSettings:
    functions = [noop]
    redis_settings = RedisSettings.from_dsn(common.REDIS_URL)
    max_jobs = 1


class Peer:
    name = "arq"
    package = "arq"
    settings = "`arq` worker, `max_jobs = 1`, log level WARNING, defaults otherwise (polls every 0.5 s, results kept 1 h)"
    batch_api = "none: `asyncio.gather` of `enqueue_job` calls"
    worker_argv = ["arq", "--custom-log-dict", "arq_peer.LOGGING", "arq_peer.WorkerSettings"]

    def __init__(self):
        self.runner = common.AsyncRunner()
        self.pool = self.runner.run(create_pool(WorkerSettings.redis_settings))

    def enqueue_each(self, count):
        return self.runner.run(common.time_each_async(lambda mark: self.pool.enqueue_job("noop", mark=mark), count))

    def enqueue_batches(self, count, size):
        async def send(n):
            await asyncio.gather(*(self.pool.enqueue_job("noop") for _ in range(n)))
        return self.runner.run(common.time_batches_async(send, count, size))

    def send_probe(self):
        async def probe():
            await self.pool.enqueue_job("noop", sent=time.time())
        self.runner.run(probe())

    def remaining(self):
        return self.runner.run(self.pool.zcard(default_queue_name))

    def close(self):
        self.runner.run(self.pool.aclose())
        self.runner.close()
