#!/usr/bin/env python3
"""Count the words of one file per job, in one long-lived process: an example for
`ingest-worker --persistent`.

    ingest-worker --queue ingest --persistent --max-jobs-per-process 1000 \\
        -- python3 Examples/python-worker/persistent.py

ingest-worker starts this script once and sends it the jobs one at a time, each as one JSON line
on stdin:

    {"attempt": 1, "id": "...", "max_attempts": 5, "payload": {"path": "/srv/kb/guide.md"},
     "queue": "ingest", "type": "ingest.file"}

and reads one JSON line on stdout for each, naming the job it answers:

    {"id": "...", "status": "ok", "result": "12 lines, 80 words"}   done (the result is kept with the job)
    {"id": "...", "status": "retry", "after": "2s"}                 not now: again later, no attempt spent
    {"id": "...", "status": "failed", "error": "no such file: /x"}  failed: retried, then dead-lettered

So stdout carries nothing but responses: print() is pointed at stderr, which is the worker's log.
The slow part of starting (here SETUP_SECONDS of pretend work standing in for importing a big
library or loading a model) is paid once, not per job. The script ends when stdin closes: the
worker closes it to recycle the process (--max-jobs-per-process) or when it stops.

Each result is also appended as a JSON line to the file named by INGEST_RESULTS (when set), with
this process's pid, so one can see that one process ran many jobs. Progress goes to the
descriptor in JOBQ_PROGRESS_FD, one line per report, as for a command run per job.
"""

import json
import os
import re
import sys
import time

SETUP_SECONDS = float(os.environ.get("SETUP_SECONDS", "0.5"))
WORD = re.compile(r"\w+")


def setup():
    """Everything that is slow to do and the same for every job: done once per process."""
    time.sleep(SETUP_SECONDS)


def report_progress(text):
    """One progress line on JOBQ_PROGRESS_FD (shown by `jobq stats` and `jobq show`)."""
    fd = os.environ.get("JOBQ_PROGRESS_FD")
    if fd:
        try:
            os.write(int(fd), (text + "\n").encode())
        except OSError:
            pass


def run(job):
    """Runs one job; returns its response (a dict)."""
    payload = job.get("payload")
    path = payload.get("path") if isinstance(payload, dict) else None
    if not isinstance(path, str) or not path:
        return {"status": "failed", "error": f"bad payload: expected an object with a 'path', got {json.dumps(payload)[:200]}",
                "permanent": True}
    if os.path.exists(path + ".lock"):
        return {"status": "retry", "after": "2s"}
    report_progress(f"0/1 reading {os.path.basename(path)}")
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return {"status": "failed", "error": f"no such file: {path}"}
    except (OSError, UnicodeDecodeError) as error:
        return {"status": "failed", "error": f"cannot read {path}: {error}"}
    lines, words = text.count("\n"), len(WORD.findall(text))
    report_progress("1/1 counted")
    record_result({"id": job.get("id"), "path": path, "lines": lines, "words": words, "pid": os.getpid()})
    return {"status": "ok", "result": f"{lines} lines, {words} words"}


def record_result(record):
    target = os.environ.get("INGEST_RESULTS")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")


def main():
    responses = sys.stdout
    sys.stdout = sys.stderr  # a stray print() must not break the protocol
    setup()
    print(f"persistent.py: ready (pid {os.getpid()})", file=sys.stderr, flush=True)
    for line in sys.stdin:
        job = {}
        try:
            job = json.loads(line)
            response = run(job)
        except Exception as error:  # one bad job must not end the process
            response = {"status": "failed", "error": f"{type(error).__name__}: {error}"}
        response["id"] = job.get("id") if isinstance(job, dict) else None  # the answer names its job
        responses.write(json.dumps(response) + "\n")
        responses.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
