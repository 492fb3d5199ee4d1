"""A throwaway Redis for the tests: Debian's redis-server on a free port, no persistence, gone after.

./bin/test installs the `redis-server` package; its absence is a failure with the way to install
it, never a skip. Each test that needs a clean Redis calls `flush()`.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from support import free_port

MISSING = ("redis-server not found: run ./bin/test, which installs Debian's redis-server "
           "package; the multi-process tests need a real Redis and never skip it")


class RedisServer:
    def __init__(self):
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        assert Path(binary).exists(), MISSING
        self.dir = Path(tempfile.mkdtemp(prefix="signage-redis-"))
        self.port = free_port()
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir), "--protected-mode", "yes"],
            stdout=open(self.dir / "redis.log", "w"), stderr=subprocess.STDOUT)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError((self.dir / "redis.log").read_text()[-2000:])
                time.sleep(0.05)

    def flush(self) -> None:
        self.client.flushall()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)
