"""A private Redis Cluster of three masters for one scenario: each node a RedisServer with
cluster mode on (its bus on port + 10000), joined with `redis-cli --cluster create`; and slot
migrations done the way `redis-cli --cluster reshard` does them."""
import socket
import subprocess
import time

from redis_server import RedisServer, free_port
from resp import Redis


class RedisCluster:
    def __init__(self, masters=3, node_timeout_ms=2000):
        self.nodes = []
        for _ in range(masters):
            node = RedisServer("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                               "--cluster-node-timeout", str(node_timeout_ms))
            while node.port > 55000 or not _free(node.port + 10000):
                node.port = free_port()
            self.nodes.append(node)
        self.clients = {}

    @property
    def url(self):
        return self.nodes[0].url

    def start(self):
        for node in self.nodes:
            node.start()
            self.clients[node.port] = Redis(node.port)
        subprocess.run(["redis-cli", "--cluster", "create", *[f"127.0.0.1:{n.port}" for n in self.nodes],
                        "--cluster-replicas", "0", "--cluster-yes"], check=True, capture_output=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            views = {self._ownership(node) for node in self.nodes}
            if all(b"cluster_state:ok" in self.client(n)("CLUSTER", "INFO") for n in self.nodes) and len(views) == 1:
                return self
            time.sleep(0.1)
        raise RuntimeError("the Redis Cluster did not become healthy")

    def client(self, node):
        return self.clients[node.port]

    def _ownership(self, node):
        return tuple(sorted((r[0], r[1], r[2][1]) for r in self.client(node)("CLUSTER", "SLOTS")))

    def slot(self, key):
        return self.client(self.nodes[0])("CLUSTER", "KEYSLOT", key)

    def owner(self, slot):
        for start, end, primary, *_ in self.client(self.nodes[0])("CLUSTER", "SLOTS"):
            if start <= slot <= end:
                return next(n for n in self.nodes if n.port == primary[1])
        raise RuntimeError(f"no master owns slot {slot}")

    def node_id(self, node):
        return self.client(node)("CLUSTER", "MYID").decode()

    def migrate(self, moves, keys_per_step=10, pause=0.0):
        """Moves each (slot, target) of `moves`, all at once, the way `redis-cli --cluster reshard`
        moves one: IMPORTING on the target, MIGRATING on the source, `MIGRATE ... KEYS` in batches
        (one batch of each slot in turn, then `pause`), `SETSLOT ... NODE` on every master.
        Returns the number of keys moved for each."""
        sources = [self.owner(slot) for slot, _ in moves]
        for (slot, target), source in zip(moves, sources):
            self.client(target)("CLUSTER", "SETSLOT", slot, "IMPORTING", self.node_id(source))
            self.client(source)("CLUSTER", "SETSLOT", slot, "MIGRATING", self.node_id(target))
        moved = [0] * len(moves)
        busy = set(range(len(moves)))
        while busy:
            for index in sorted(busy):
                (slot, target), source = moves[index], sources[index]
                keys = self.client(source)("CLUSTER", "GETKEYSINSLOT", slot, keys_per_step)
                if not keys:
                    busy.discard(index)
                    continue
                self.client(source)("MIGRATE", "127.0.0.1", target.port, "", 0, 5000, "KEYS", *keys)
                moved[index] += len(keys)
            if pause:
                time.sleep(pause)
        for slot, target in moves:
            for node in [target] + [n for n in self.nodes if n is not target]:
                self.client(node)("CLUSTER", "SETSLOT", slot, "NODE", self.node_id(target))
        return moved

    def remove(self):
        for client in self.clients.values():
            client.close()
        for node in self.nodes:
            node.remove()


def _free(port):
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False
