"""Redis killed (SIGKILL) mid-drain and restarted 3 s later from its append-only file
(`appendonly yes`, `appendfsync always`)."""

from outage import drain_through_outage
from redis_server import RedisServer
from result import Result

OUTAGE_SECONDS = 3.0


def run(context):
    result = Result("Redis crashed mid-drain, restarted from AOF (appendfsync always)", jobs=3000)
    server = RedisServer("--appendonly", "yes", "--appendfsync", "always").start()
    try:
        drain_through_outage(context, result, server, "chaos-restart", server.crash, server.start, OUTAGE_SECONDS,
                             "redis-restart.log")
    finally:
        server.remove()
    return result
