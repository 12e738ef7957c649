"""Reading and resetting the private Redis every measurement shares."""
import time

import redis


def connect(url):
    return redis.Redis.from_url(url)


def used_memory(client):
    """Redis's own count of allocated bytes, after letting lazy frees finish."""
    for _ in range(50):
        if int(client.info("memory").get("lazyfree_pending_objects", 0)) == 0:
            break
        time.sleep(0.02)
    return int(client.info("memory")["used_memory"])


def flush(client):
    """Empties the database synchronously, so the next memory reading starts clean."""
    client.flushdb()


def wait_for_mark(client, key, field, timeout):
    """The value of hash field `key`.`field` once some process wrote it, or None after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = client.hget(key, field)
        if value is not None:
            return float(value)
        time.sleep(0.02)
    return None
