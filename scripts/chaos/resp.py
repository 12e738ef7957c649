"""A minimal Redis client (RESP2 over TCP) for the chaos scenarios: binary-safe commands and
pipelines, reconnecting on the next call after any failure. Standard library only, so the
scenarios need nothing installed but Python."""
import socket


class RedisClientError(Exception):
    """The server answered with an error reply."""


class Redis:
    def __init__(self, port, host="127.0.0.1", timeout=30.0):
        self.address = (host, port)
        self.timeout = timeout
        self.sock = None
        self.reader = None

    def _connect(self):
        if self.sock is None:
            self.sock = socket.create_connection(self.address, timeout=self.timeout)
            self.reader = self.sock.makefile("rb")

    def close(self):
        if self.sock is not None:
            try:
                self.reader.close()
                self.sock.close()
            finally:
                self.sock = None
                self.reader = None

    @staticmethod
    def _encode(args):
        parts = [b"*%d\r\n" % len(args)]
        for arg in args:
            data = arg if isinstance(arg, bytes) else str(arg).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
        return b"".join(parts)

    def _read(self):
        line = self.reader.readline()
        if not line:
            raise ConnectionError("Redis closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest
        if kind == b"-":
            return RedisClientError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            length = int(rest)
            if length < 0:
                return None
            data = self.reader.read(length + 2)
            return data[:-2]
        if kind == b"*":
            count = int(rest)
            return None if count < 0 else [self._read() for _ in range(count)]
        raise ConnectionError(f"unexpected reply {line[:40]!r}")

    def pipeline(self, commands):
        """Sends every command, then reads every reply (error replies are returned, not raised)."""
        try:
            self._connect()
            self.sock.sendall(b"".join(self._encode(c) for c in commands))
            return [self._read() for _ in commands]
        except (OSError, ConnectionError):
            self.close()
            raise

    def __call__(self, *args):
        reply = self.pipeline([args])[0]
        if isinstance(reply, RedisClientError):
            raise reply
        return reply
