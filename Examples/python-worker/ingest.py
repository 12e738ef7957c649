#!/usr/bin/env python3
"""Ingest one file per job: an example command for `ingest-worker -- python3 ingest.py`.

    ingest-worker --queue ingest --idle-exit 60s -- python3 Examples/python-worker/ingest.py

ingest-worker starts this script once per job. The job's message arrives on stdin as one JSON
object: {"payload": {"path": "/srv/kb/guide.md"}, "id": "...", "type": "ingest.file", ...}.
The script counts the lines, words and bytes of the file named by payload.path and appends one
JSON line with the result to the file named by the environment variable INGEST_RESULTS.

Exit status, which ingest-worker turns into the job's outcome:
  0   done: the job is acknowledged and deleted.
  75  the input is temporarily unavailable (a writer holds PATH.lock): the job is put back and
      tried again later, without using up one of its attempts.
  1   bad input (no path, no such file, not UTF-8 text) or a setting missing: the job fails; it is
      retried with backoff and dead-lettered after its last attempt, with the end of this
      script's stderr kept as its last error (`jobq dead QUEUE` shows it).

A job can run more than once (delivery is at least once), so a result line may repeat; each line
carries the job id, and a reader should keep the last line per job.

It also reports to ingest-worker: a progress line on the descriptor in JOBQ_PROGRESS_FD (shown by
`jobq stats` while it runs) and a one-line result on the descriptor in JOBQ_RESULT_FD (kept with
the job where the queue keeps a history: `jobq history QUEUE`, `jobq show QUEUE ID`).
"""

import json
import os
import sys

EXIT_DONE = 0
EXIT_FAILED = 1
EXIT_RETRY_LATER = 75  # EX_TEMPFAIL


class JobError(Exception):
    """A reason to end the job with an exit status other than 0."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def read_job(stream):
    """Parse the job message from stdin; return (job id, payload path)."""
    try:
        message = json.load(stream)
    except ValueError as error:
        raise JobError(EXIT_FAILED, f"the job message on stdin is not JSON: {error}")
    payload = message.get("payload") if isinstance(message, dict) else None
    if not isinstance(payload, dict):
        raise JobError(EXIT_FAILED, f"bad payload: expected an object with a 'path', got {json.dumps(payload)[:200]}")
    path = payload.get("path")
    if not isinstance(path, str) or not path:
        raise JobError(EXIT_FAILED, f"bad payload: 'path' must be a non-empty string, got {json.dumps(path)[:200]}")
    job_id = os.environ.get("JOBQ_JOB_ID") or str(message.get("id", ""))
    return job_id, path


def count(path):
    """Return (lines, words, bytes) of a UTF-8 text file."""
    if os.path.exists(path + ".lock"):
        raise JobError(EXIT_RETRY_LATER, f"{path} is locked by a writer ({path}.lock exists); trying again later")
    try:
        with open(path, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        raise JobError(EXIT_FAILED, f"no file at {path}")
    except IsADirectoryError:
        raise JobError(EXIT_FAILED, f"{path} is a directory, not a file")
    except PermissionError:
        raise JobError(EXIT_FAILED, f"cannot read {path}: permission denied (the worker runs as user {os.getuid()})")
    except OSError as error:
        raise JobError(EXIT_RETRY_LATER, f"cannot read {path} now ({error.strerror}); trying again later")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise JobError(EXIT_FAILED, f"{path} is not UTF-8 text (bad byte at offset {error.start})")
    return text.count("\n"), len(text.split()), len(data)


def append_result(results_path, record):
    """Append one JSON line in a single write, so that concurrent writers never interleave lines."""
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    descriptor = os.open(results_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, line)
    finally:
        os.close(descriptor)


def report(variable, text):
    """Write one line to the descriptor named by `variable` (JOBQ_PROGRESS_FD, JOBQ_RESULT_FD), if set."""
    value = os.environ.get(variable, "")
    if value.isdigit():
        os.write(int(value), (text + "\n").encode("utf-8"))


def attempt_number():
    """The attempt this run is (1 for the first start), from JOBQ_ATTEMPT; 0 when unknown."""
    value = os.environ.get("JOBQ_ATTEMPT", "")
    return int(value) if value.isdigit() else 0


def main():
    results_path = os.environ.get("INGEST_RESULTS")
    try:
        if not results_path:
            raise JobError(EXIT_FAILED, "INGEST_RESULTS is not set: name the file that result lines are appended to")
        job_id, path = read_job(sys.stdin)
        report("JOBQ_PROGRESS_FD", f"counting {path}")
        lines, words, size = count(path)
        append_result(results_path, {
            "job": job_id,
            "path": path,
            "lines": lines,
            "words": words,
            "bytes": size,
            "attempt": attempt_number(),
        })
        report("JOBQ_RESULT_FD", f"{lines} lines, {words} words, {size} bytes")
    except JobError as error:
        print(f"ingest.py: {error}", file=sys.stderr)
        return error.status
    return EXIT_DONE


if __name__ == "__main__":
    sys.exit(main())
