"""A worker command run in its own session, so that it and every child it forks can be measured
and stopped together."""
import os
import signal
import subprocess


class WorkerProcess:
    """A command in its own session with its output appended to a log file."""

    def __init__(self, argv, log_path, cwd=None, environment=None):
        self.log = open(log_path, "ab")
        self.process = subprocess.Popen(argv, cwd=cwd, env=environment,
                                        stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                        start_new_session=True)

    @property
    def pid(self):
        return self.process.pid

    def stop(self, grace=10):
        """SIGTERM to the session's process group, SIGKILL after `grace` seconds."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            self.process.wait()
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.log.close()
