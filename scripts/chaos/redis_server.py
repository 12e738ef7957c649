"""A private redis-server for one scenario: on a free loopback port, in its own directory, which
the scenario can kill, restart on the same port and data, freeze and thaw."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from resp import Redis


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    def __init__(self, *options):
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="jobq-chaos-redis.")
        self.options = list(options)
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.directory,
                "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction",
                "--logfile", os.path.join(self.directory, "redis.log")] + self.options
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client = Redis(self.port, timeout=1)
                if client("PING") == b"PONG":
                    client.close()
                    return self
            except (OSError, ConnectionError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def crash(self):
        """SIGKILL: what Redis had not written to its append-only file is gone."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def freeze(self):
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def remove(self):
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
