"""A process holds as many connections as a hall has screens, and a crowd of them reconnecting
at once (a restart) costs one snapshot, not one each."""
from __future__ import annotations

import resource
import socket
import threading
import time

import requests

from signage.realtime import SnapshotCache

IDLE = 1100   # more than eventlet's default pool of 1024 connections


def test_more_than_a_thousand_connections_do_not_lock_out_the_next(make_server):
    server = make_server()            # eventlet, the default; --max-connections 10000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < IDLE + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, IDLE + 400), hard))
    idle = []
    try:
        for _ in range(IDLE):         # like screens between two messages: connected, silent
            idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
        time.sleep(0.5)
        answer = requests.get(server.url + "/api/services", timeout=10)
        assert answer.status_code == 200
    finally:
        for s in idle:
            s.close()


class _SlowHall:
    def __init__(self):
        self.builds = 0
        self.subscribers = []

    def subscribe(self, subscriber):
        self.subscribers.append(subscriber)

    def snapshot(self):
        self.builds += 1
        time.sleep(0.2)               # a snapshot read while the others arrive
        return {"seq": self.builds}


def test_screens_arriving_together_wait_for_one_snapshot():
    hall = _SlowHall()
    cache = SnapshotCache(hall)
    got = []
    threads = [threading.Thread(target=lambda: got.append(cache.get())) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert hall.builds == 1 and got == [{"seq": 1}] * 30
    hall.subscribers[0]([{"seq": 2}])      # a commit: the next screen gets a fresh one
    assert cache.get() == {"seq": 2} and hall.builds == 2
