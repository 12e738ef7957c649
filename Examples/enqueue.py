#!/usr/bin/env python3
"""Enqueue files for ingestion from Python, with redis-py only (no jobq code).

    JOBQ_REDIS_URL=redis://127.0.0.1:6379/0 python3 Examples/enqueue.py ingest /srv/kb/a.md /srv/kb/b.md

Each PATH becomes one job: the wire format's JSON message
{"payload": {"path": "/abs/path"}, "type": "ingest.file", "id": "py-...", "max_attempts": N},
pushed with one LPUSH onto the queue's waiting list `jobq:{QUEUE}:wait` (see docs/wire-format.md).
Prints each job's id on its own line. A worker checks the message when it takes it; a message
that breaks the format is dead-lettered with a reason starting with "malformed:".

Redis: JOBQ_REDIS_URL (redis://[user[:password]@]host[:port][/db] or unix:///path.sock?db=N),
default redis://127.0.0.1:6379/0; a password may come from the file named by
JOBQ_REDIS_PASSWORD_FILE. Needs redis-py: `pip install redis` or `apt-get install python3-redis`.
"""

import argparse
import json
import os
import re
import sys
import uuid

import redis


def queue_name(text):
    """A valid queue name, as jobq accepts it; the name becomes part of every key."""
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,100}", text):
        raise argparse.ArgumentTypeError(f"invalid queue name {text!r}: use 1-100 letters, digits, '.', '_' or '-'")
    return text


def attempts(text):
    """A max_attempts value: a whole number from 1 to 1000."""
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1 to 1000")
    return int(text)


def wait_key(queue):
    """The queue's waiting list: the only key producers write."""
    return "jobq:{" + queue + "}:wait"


def job_message(path, job_type, max_attempts):
    """One job in the wire format, JSON-encoded."""
    message = {
        "payload": {"path": os.path.abspath(path)},
        "type": job_type,
        "id": "py-" + uuid.uuid4().hex,
    }
    if max_attempts is not None:
        message["max_attempts"] = max_attempts
    return json.dumps(message, ensure_ascii=False)


def connect():
    """A client for JOBQ_REDIS_URL, with the password file applied when the URL has none."""
    url = os.environ.get("JOBQ_REDIS_URL") or "redis://127.0.0.1:6379/0"
    options = {}
    password_file = os.environ.get("JOBQ_REDIS_PASSWORD_FILE")
    if password_file and "@" not in url:
        with open(password_file, encoding="utf-8") as file:
            options["password"] = file.read().rstrip("\n")
    return redis.Redis.from_url(url, **options)


def main():
    parser = argparse.ArgumentParser(description="Enqueue files for ingestion with a plain LPUSH.")
    parser.add_argument("queue", type=queue_name, help="the queue's name (letters, digits, '.', '_', '-')")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files to ingest, one job each")
    parser.add_argument("--type", default="ingest.file", help="the job type (default: ingest.file)")
    parser.add_argument("--max-attempts", type=attempts, metavar="N",
                        help="starts allowed before a job is dead-lettered (1-1000; default: the worker's)")
    arguments = parser.parse_args()

    messages = [job_message(path, arguments.type, arguments.max_attempts) for path in arguments.paths]
    try:
        # One LPUSH for all: the list gets them in order, and workers take them in that order.
        connect().lpush(wait_key(arguments.queue), *messages)
    except (redis.RedisError, OSError) as error:
        print(f"enqueue.py: nothing was enqueued: {error}", file=sys.stderr)
        return 1
    for message in messages:
        print(json.loads(message)["id"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
