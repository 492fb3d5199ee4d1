"""One hall, several server processes: what they must share, and how.

A single process (the default) shares nothing: `Cluster` keeps presence in memory and leads
every hall duty itself. Started with `--message-queue redis://...`, `RedisCluster` makes the
processes behave as one hall:

- **Commits wake every process.** After a commit, the process publishes a one-word nudge on a
  Redis channel; every other process then wakes its broadcaster and drops its cached snapshot.
  Each broadcaster reads the events from the database (the one source of order, `seq`) and
  emits them to *its own* connections only, so each screen gets each event exactly once, in
  order, whichever process committed it. A nudge lost with a killed process costs at most the
  broadcaster's poll (FOLLOW_POLL_S).
- **Presence is one list.** Which screens, tablets and consoles are connected (and whether
  their sound works) lives in a Redis hash; entries of a process that stopped beating
  (PROCESS_TTL_S, e.g. after `kill -9`) are dropped from the list.
- **Hall duties run once.** Scheduled announcements, opening-hours events, kiosk printers and
  WhatsApp messages are done by one process at a time, the holder of the database lease
  `hall_duties` (store/duties.py); another takes over within LEASE_S if it dies.

Rate limits (flask-limiter) keep their counters in the same Redis (web/__init__.py).
"""
from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Callable

from .realtime import Presence

log = logging.getLogger(__name__)

COMMITS = "signage:commits"          # channel: a process committed events (data: its name)
PRESENCE = "signage:presence"        # hash: "<process>|<sid>" -> JSON entry
PROCESSES = "signage:processes"      # sorted set: process -> last beat (epoch seconds)
ANONYMOUS = "signage:anonymous"      # hash: process -> screens connected without a name
BEAT_S = 5.0                         # a process says it is alive this often
PROCESS_TTL_S = 15.0                 # ... and counts as gone after this long without a beat
FOLLOW_POLL_S = 1.0                  # broadcasters look at the database at least this often


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Cluster:
    """A hall served by this one process."""

    shared = False
    follow_poll_s = 5.0

    def __init__(self, process: str | None = None):
        self.process = process or process_name()
        self.presence = Presence(self.process)
        self._anonymous = 0

    def start(self, socketio, on_remote_commit: Callable[[], None]) -> None:
        """Begin following the other processes (nothing to follow here)."""

    def committed(self, events: list[dict]) -> None:
        """A hall subscriber: this process committed `events`."""

    def set_anonymous(self, count: int) -> None:
        """Screens connected here without a name (told to the others with the next beat)."""
        self._anonymous = count

    def anonymous(self) -> int:
        return self._anonymous

    def processes(self) -> list[str]:
        return [self.process]


class RedisCluster(Cluster):
    """Processes sharing one database and one Redis (see the module's docstring)."""

    shared = True
    follow_poll_s = FOLLOW_POLL_S

    def __init__(self, url: str, process: str | None = None):
        import redis   # the `postgres` extra; only a clustered hall needs it
        super().__init__(process)
        self.redis = redis.Redis.from_url(url, decode_responses=True, socket_timeout=3,
                                          socket_connect_timeout=3)
        self.presence = SharedPresence(self.redis, self.process)
        self._beat()

    def start(self, socketio, on_remote_commit: Callable[[], None]) -> None:
        socketio.start_background_task(self._follow, socketio, on_remote_commit)

    def committed(self, events: list[dict]) -> None:
        if not events:   # a nudge from elsewhere, passed on to this process's subscribers
            return
        try:
            self.redis.publish(COMMITS, self.process)
        except Exception:  # the others still find it at their next poll
            log.warning("could not tell the other processes about a commit", exc_info=True)

    def anonymous(self) -> int:
        """Screens without a name on every process, as of their last beat (BEAT_S)."""
        try:
            alive = set(self.processes())
            counts = self.redis.hgetall(ANONYMOUS)
        except Exception:
            return self._anonymous
        return sum(int(n) for p, n in counts.items() if p in alive)

    def processes(self) -> list[str]:
        return self.presence.alive()

    def _beat(self) -> None:
        try:
            self.redis.zadd(PROCESSES, {self.process: time.time()})
            self.redis.hset(ANONYMOUS, self.process, self._anonymous)
            self.presence.store_all()   # entries survive a Redis restart
        except Exception:
            log.warning("could not reach Redis", exc_info=True)

    def _follow(self, socketio, on_remote_commit: Callable[[], None]) -> None:
        """Listen for the others' commits; beat every BEAT_S. Reconnects when Redis goes away."""
        beat_at = 0.0
        while True:
            pubsub = None
            try:
                pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(COMMITS)
                while True:
                    if time.monotonic() >= beat_at:
                        self._beat()
                        beat_at = time.monotonic() + BEAT_S
                    message = pubsub.get_message(timeout=1.0)
                    if message and message.get("data") != self.process:
                        on_remote_commit()
                    socketio.sleep(0)
            except Exception:
                log.warning("lost Redis; following the database alone until it is back", exc_info=True)
                socketio.sleep(1.0)
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:
                        pass


class SharedPresence(Presence):
    """Presence kept here for this process's clients, and in Redis for the whole hall's list."""

    def __init__(self, redis, process: str):
        super().__init__(process)
        self.redis = redis

    def join(self, sid: str, **fields) -> None:
        super().join(sid, **fields)
        self._store(sid)

    def update(self, sid: str, **fields) -> bool:
        changed = super().update(sid, **fields)
        if changed:
            self._store(sid)
        return changed

    def leave(self, sid: str) -> bool:
        gone = super().leave(sid)
        if gone:
            self._call(self.redis.hdel, PRESENCE, self._field(sid))
        return gone

    def list(self) -> list[dict]:
        try:
            alive = set(self.alive())
            entries = self.redis.hgetall(PRESENCE)
        except Exception:   # Redis away: this process's own list is better than none
            log.warning("presence from Redis unavailable", exc_info=True)
            return super().list()
        listed, gone = [], []
        for field, value in entries.items():
            process, _, sid = field.rpartition("|")
            if process not in alive:
                gone.append(field)
                continue
            try:
                listed.append(json.loads(value) | {"sid": sid, "process": process})
            except ValueError:
                gone.append(field)
        if gone:
            self._call(self.redis.hdel, PRESENCE, *gone)
        return listed

    def alive(self) -> list[str]:
        """The processes that beat within PROCESS_TTL_S (this one always counts)."""
        now = time.time()
        self.redis.zremrangebyscore(PROCESSES, "-inf", now - PROCESS_TTL_S)
        return sorted(set(self.redis.zrangebyscore(PROCESSES, now - PROCESS_TTL_S, "+inf")) | {self.process})

    def store_all(self) -> None:
        entries = self._entries()
        if entries:
            self.redis.hset(PRESENCE, mapping={self._field(sid): json.dumps(entry)
                                               for sid, entry in entries.items()})

    def _store(self, sid: str) -> None:
        entry = self._entries().get(sid)
        if entry is not None:
            self._call(self.redis.hset, PRESENCE, self._field(sid), json.dumps(entry))

    def _field(self, sid: str) -> str:
        return f"{self.process}|{sid}"

    @staticmethod
    def _call(method, *args) -> None:
        try:
            method(*args)
        except Exception:  # presence is for the console; the hall goes on without it
            log.warning("presence not shared (Redis unavailable)", exc_info=True)


def make_cluster(message_queue: str | None) -> Cluster:
    if message_queue and message_queue.startswith(("redis://", "rediss://", "unix://")):
        return RedisCluster(message_queue)
    if message_queue:
        raise ValueError("--message-queue: only Redis (redis://host:port/db) is supported")
    return Cluster()
