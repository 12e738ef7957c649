"""Runs one peer's measurements inside that peer's own virtual environment (the peers need
different versions of redis-py) and prints them as JSON. `--describe` prints what the table
discloses about the peer instead.

    python peer_run.py rq [--describe]      settings in BENCH_SETTINGS (JSON), Redis in BENCH_REDIS_URL
"""
import importlib
import json
import os
import sys
import time
from importlib import metadata

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "peers"), HERE]

import common  # noqa: E402
import peers_side  # noqa: E402
import rediskit  # noqa: E402


def progress(line):
    print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)


def main():
    name = sys.argv[1]
    peer_class = importlib.import_module(f"{name}_peer").Peer
    if sys.argv[2:] == ["--describe"]:
        print(json.dumps({
            "name": peer_class.name, "package": peer_class.package, "version": metadata.version(peer_class.package),
            "settings": peer_class.settings, "batch_api": peer_class.batch_api, "worker_argv": peer_class.worker_argv,
        }))
        return
    settings = json.loads(os.environ["BENCH_SETTINGS"])
    settings["venv_bin"] = os.path.dirname(sys.executable)
    log_path = os.path.join(os.environ["BENCH_DIR"], f"{name}-worker.log")
    peer = peer_class()
    try:
        result = peers_side.run(peer, rediskit.connect(common.REDIS_URL), settings, log_path, progress)
    finally:
        peer.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
