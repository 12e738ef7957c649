"""The processes a scenario runs: `example-worker` (its `--log` records every run of a job) and
the CPU it uses, read from /proc; jobs enqueued with `example-worker enqueue` or `jobq enqueue`."""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import procstat  # noqa: E402


class Binaries:
    """Where the release binaries are."""

    def __init__(self, bin_dir):
        self.example_worker = os.path.join(bin_dir, "example-worker")
        self.jobq = os.path.join(bin_dir, "jobq")
        self.ingest_worker = os.path.join(bin_dir, "ingest-worker")


def environment(redis_url):
    return dict(os.environ, JOBQ_REDIS_URL=redis_url)


def enqueue(binaries, redis_url, queue, count):
    """Adds `count` jobs {"n": i} with `example-worker enqueue`; returns their ids."""
    output = subprocess.run([binaries.example_worker, "enqueue", queue, str(count)], env=environment(redis_url),
                            check=True, capture_output=True, text=True).stdout
    return output.split()


def enqueue_lines(binaries, redis_url, queue, payloads):
    """Adds one job per payload (JSON text) with `jobq enqueue --jsonl -`; returns their ids in order."""
    output = subprocess.run([binaries.jobq, "enqueue", queue, "--jsonl", "-"], input="\n".join(payloads) + "\n",
                            env=environment(redis_url), check=True, capture_output=True, text=True).stdout
    return output.split()


class Worker:
    """`example-worker work QUEUE --log LOG ...`, its diagnostics appended to a side log."""

    def __init__(self, binaries, redis_url, queue, log, *options):
        self.stderr_path = log + ".stderr"
        self.stderr = open(self.stderr_path, "ab")
        self.process = subprocess.Popen([binaries.example_worker, "work", queue, "--log", log, *options],
                                        env=environment(redis_url), stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=self.stderr)

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process.poll() is None

    def last_words(self):
        """The last line the worker wrote to stderr."""
        with open(self.stderr_path, "rb") as file:
            lines = file.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else ""

    def cpu_ticks(self):
        return procstat.cpu_ticks([self.process.pid])

    def kill(self):
        """SIGKILL; returns True when the worker died of it (rather than having exited before)."""
        if not self.alive():
            return False
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.stderr.close()
        return self.process.returncode == -signal.SIGKILL

    def wait(self, timeout):
        """The exit status, or None if the worker is still running after `timeout` seconds (it is
        then killed)."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        finally:
            self.stderr.close()


def cpu_seconds(ticks):
    return ticks / procstat.CLOCK_TICKS


def runs(log):
    """Every run the log recorded, as (job id, start in epoch seconds)."""
    entries = []
    if not os.path.exists(log):
        return entries
    with open(log, "rb") as file:
        for line in file:
            parts = line.split()
            if len(parts) >= 4:
                entries.append((parts[0].decode(errors="replace"), int(parts[2]) / 1000))
    return entries


def wait_for_runs(log, count, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(runs(log)) >= count:
            return True
        time.sleep(0.05)
    return False


def first_start_after(log, moment):
    """Seconds from `moment` (epoch) to the first run that started after it, or None."""
    later = [start for _, start in runs(log) if start >= moment]
    return min(later) - moment if later else None
