"""A master, a replica and three sentinels for one scenario, each on a free loopback port in a
directory of its own (a sentinel rewrites its config file). The sentinels declare a master down
after 1 s without an answer."""
import os
import shutil
import subprocess
import tempfile
import time

from redis_server import RedisServer, free_port
from resp import Redis

MASTER_NAME = "chaos-master"


class Sentinel:
    def __init__(self, master_port):
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="jobq-chaos-sentinel.")
        config = os.path.join(self.directory, "sentinel.conf")
        with open(config, "w") as file:
            file.write(f"port {self.port}\nbind 127.0.0.1\ndir {self.directory}\n"
                       f"logfile {os.path.join(self.directory, 'sentinel.log')}\n"
                       f"sentinel monitor {MASTER_NAME} 127.0.0.1 {master_port} 2\n"
                       f"sentinel down-after-milliseconds {MASTER_NAME} 1000\n"
                       f"sentinel failover-timeout {MASTER_NAME} 4000\n")
        self.process = subprocess.Popen(["redis-server", config, "--sentinel"], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def __call__(self, *args):
        client = Redis(self.port, timeout=2)
        try:
            return client(*args)
        finally:
            client.close()

    def remove(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.directory, ignore_errors=True)


class SentinelGroup:
    def __init__(self):
        sync = ("--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0")
        self.nodes = [RedisServer(*sync).start()]
        self.nodes.append(RedisServer(*sync, "--replicaof", "127.0.0.1", str(self.nodes[0].port)).start())
        self.sentinels = [Sentinel(self.nodes[0].port) for _ in range(3)]
        if not self._wait(20, self._ready):
            self.remove()
            raise RuntimeError("the sentinels did not learn of the replica and of each other within 20 s")

    @property
    def url(self):
        hosts = ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels)
        return f"redis+sentinel://{hosts}/{MASTER_NAME}/0"

    @staticmethod
    def _wait(seconds, condition):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if condition():
                    return True
            except (OSError, ConnectionError):
                pass
            time.sleep(0.05)
        return False

    def _ready(self):
        for sentinel in self.sentinels:
            replicas = sentinel("SENTINEL", "REPLICAS", MASTER_NAME)
            good = [r for r in replicas if dict(zip(r[::2], r[1::2])).get(b"master-link-status") == b"ok"]
            if not good or len(sentinel("SENTINEL", "SENTINELS", MASTER_NAME)) < 2:
                return False
        return True

    def master_port(self):
        for sentinel in self.sentinels:
            try:
                return int(sentinel("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME)[1])
            except (OSError, ConnectionError, TypeError):
                continue
        raise RuntimeError("no sentinel names a master")

    def node(self, port):
        return next(n for n in self.nodes if n.port == port)

    @staticmethod
    def info(port, *args):
        client = Redis(port, timeout=2)
        try:
            return client(*args)
        finally:
            client.close()

    def wait_for_new_master(self, old_port, seconds=30):
        """Waits until the sentinels name another master, which says ROLE master; its port or None."""
        found = []

        def moved():
            port = self.master_port()
            if port != old_port and self.info(port, "ROLE")[0] == b"master":
                found.append(port)
                return True
            return False
        return found[0] if self._wait(seconds, moved) else None

    def wait_for_replica(self, port, seconds=30):
        """Waits until the node on `port` is a replica in sync with its master."""
        return self._wait(seconds, lambda: b"master_link_status:up" in self.info(port, "INFO", "replication"))

    def remove(self):
        for sentinel in self.sentinels:
            sentinel.remove()
        for node in self.nodes:
            node.remove()
