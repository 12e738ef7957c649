"""Redis frozen (SIGSTOP) for 10 s mid-drain, then thawed (SIGCONT): connections stay open but
nothing answers."""
from outage import drain_through_outage
from redis_server import RedisServer
from result import Result

FREEZE_SECONDS = 10.0


def run(context):
    result = Result("Redis frozen (SIGSTOP) for 10 s mid-drain", jobs=3000)
    server = RedisServer().start()
    try:
        drain_through_outage(context, result, server, "chaos-freeze", server.freeze, server.thaw, FREEZE_SECONDS,
                             "redis-freeze.log")
    finally:
        server.remove()
    return result
