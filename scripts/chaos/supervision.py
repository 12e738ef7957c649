"""What the supervisor scenarios need: a `jobq supervise` process (its diagnostics in a side log,
its CPU time read when it is reaped), the worker processes of a queue sampled from /proc while it
runs, the worker cgroup directories a queue left in the cgroup hierarchies, and the supervisor hash."""
import os
import signal
import subprocess
import threading
import time

import workers

# Launches are never deferred for a busy host here: the machine running the suite may be busy.
ADMIT_ALWAYS = ["--max-load", "100", "--max-cpu-pressure", "100", "--min-available", "1M"]


class Supervise:
    """`jobq supervise QUEUE OPTIONS -- COMMAND`, started now."""

    def __init__(self, binaries, redis_url, queue, options, command, stderr_path):
        self.stderr_path = stderr_path
        self.stderr = open(stderr_path, "ab")
        self.started = time.monotonic()
        self.process = subprocess.Popen([binaries.jobq, "supervise", queue, *ADMIT_ALWAYS, *options, "--", *command],
                                        env=workers.environment(redis_url), stdin=subprocess.DEVNULL,
                                        stdout=self.stderr, stderr=self.stderr)
        self.cpu_seconds = None
        self.ran_seconds = None

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.wait(0) is None

    def kill(self):
        """SIGKILL, as power loss or the OOM killer would; returns True when it died of it."""
        if not self.alive():
            return False
        self.process.send_signal(signal.SIGKILL)
        return self.wait(5) == -signal.SIGKILL

    def terminate(self, timeout):
        """SIGTERM (the graceful stop); returns the exit status, or None if it had to be killed."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
        status = self.wait(timeout)
        if status is None:
            self.kill()
        return status

    def wait(self, timeout):
        """Reaps it and records its CPU time (its own and its reaped workers'); returns the exit
        status (negative: the signal), or None if it is still running after `timeout` seconds."""
        if self.process.returncode is not None:
            return self.process.returncode
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid == self.process.pid:
                self.process.returncode = os.waitstatus_to_exitcode(status)
                self.cpu_seconds = usage.ru_utime + usage.ru_stime
                self.ran_seconds = time.monotonic() - self.started
                self.stderr.close()
                return self.process.returncode
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.02)

    def log_lines(self):
        with open(self.stderr_path, "rb") as file:
            return file.read().decode(errors="replace").splitlines()


def processes(program, word):
    """Pids of live (not zombie) processes whose program name ends with `program` and one of whose
    arguments contains `word`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as file:
                argv = file.read().split(b"\0")
            if not argv[0].decode(errors="replace").endswith(program) or not any(word.encode() in a for a in argv[1:]):
                continue
            with open(f"/proc/{entry}/stat") as file:
                text = file.read()
            if text[text.rindex(")") + 2] not in "ZX":
                found.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return found


class WorkerCensus:
    """Samples the worker processes of a queue every `interval` seconds on a thread of its own:
    the most seen at one moment, and every pid seen."""

    def __init__(self, program, queue, interval=0.02):
        self.program = program
        self.queue = queue
        self.interval = interval
        self.most = 0
        self.samples = 0
        self.crowded_samples = 0
        self.seen = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            pids = processes(self.program, self.queue)
            self.samples += 1
            self.most = max(self.most, len(pids))
            self.crowded_samples += len(pids) > 1
            self.seen.update(pids)
            self._stop.wait(self.interval)

    def stop(self):
        """Ends the sampling (again: nothing)."""
        self._stop.set()
        self._thread.join()

    def now(self):
        return processes(self.program, self.queue)


def cgroup_mounts():
    """Mount points of every cgroup hierarchy (v1 and v2), from /proc/self/mountinfo."""
    mounts = []
    with open("/proc/self/mountinfo") as file:
        for line in file:
            fields = line.split()
            kind = fields[fields.index("-") + 1]
            if kind in ("cgroup", "cgroup2"):
                mounts.append(fields[4])
    return mounts


def leftover_cgroups(queue):
    """Every `jobq-QUEUE` directory, and the worker cgroups in it, in any cgroup hierarchy."""
    name = f"jobq-{queue}"
    found = []
    for root in cgroup_mounts():
        for directory, subdirectories, _ in os.walk(root):
            if os.path.basename(directory) == name:
                found.append(directory)
                found.extend(os.path.join(directory, s) for s in subdirectories)
                subdirectories.clear()
    return sorted(found)


def supervisor_hash(client, queue):
    """The fields of `jobq:{QUEUE}:supervisor` as text."""
    reply = client("HGETALL", f"jobq:{{{queue}}}:supervisor")
    return {reply[i].decode(): reply[i + 1].decode(errors="replace") for i in range(0, len(reply), 2)}


def worker_exits(client, queue):
    """The recorded worker exits, newest first, as raw JSON texts."""
    return [entry.decode(errors="replace") for entry in client("LRANGE", f"jobq:{{{queue}}}:exits", 0, -1)]


def breaker_text(binaries, redis_url, queue):
    """What `jobq breaker QUEUE` prints (stdout, then stderr), and its exit status."""
    done = subprocess.run([binaries.jobq, "breaker", queue], env=workers.environment(redis_url),
                          capture_output=True, text=True, timeout=30)
    return (done.stdout + done.stderr).strip(), done.returncode


def end_processes(pids):
    """SIGKILLs each of `pids` (processes the scenario started, directly or through a supervisor)."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
