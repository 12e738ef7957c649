"""What every scenario gets: the binaries, a scratch directory, a seeded random source."""
import os
import random
import sys
import time

from workers import Binaries


class Context:
    def __init__(self, bin_dir, work_dir, seed):
        self.binaries = Binaries(bin_dir)
        self.work_dir = work_dir
        self.seed = seed
        self.rng = random.Random(seed)

    def path(self, name):
        """A fresh file path in the scratch directory."""
        path = os.path.join(self.work_dir, name)
        for suffix in ("", ".stderr"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        return path

    def progress(self, line):
        print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)
