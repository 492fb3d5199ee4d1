"""The event log under writers that do not share a process: gap-free, in commit order.

Two `Database` objects on one database are two server processes as far as locking goes (each
has its own process-wide lock). Screens follow the log by the last seq they have, so a reader
polling it while they write must see every event once, in order, never a seq that commits
after a higher one (Database.next_event_seq explains how PostgreSQL would otherwise do it).
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import pytest

from signage import queue
from signage.hall import load_hall
from signage.service import HallService
from signage.store import Database

pytestmark = pytest.mark.both_databases

MONDAY_9 = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)  # 09:00 WITA


@pytest.fixture
def halls(database_url):
    """Three hall services on one database, as three processes: two write, one reads."""
    made = [HallService(Database(database_url), clock=lambda: MONDAY_9) for _ in range(3)]
    made[0].db.create_all()
    made[0].seed(load_hall())
    yield made
    for hall in made:
        hall.db.dispose()


def test_a_reader_following_the_log_misses_nothing_while_two_processes_write(halls):
    first, second, reader = halls
    stop = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def follow():  # what realtime.Broadcaster does: events_after(the last one sent)
        last = 0
        while True:
            done = stop.is_set()
            events = reader.events_after(last)
            for event in events:
                seen.append(event["seq"])
                last = event["seq"]
            if done:
                return
            if not events:
                time.sleep(0.002)   # a broadcaster waits for a nudge; spinning only starves the writers

    def kiosk(hall, code):
        try:
            for _ in range(25):
                hall.issue_ticket(code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def counter(hall, counter_id, kiosks):
        try:  # call-next finishes the current ticket and calls the next: two events, two locks
            while True:
                issuing = any(k.is_alive() for k in kiosks)
                try:
                    hall.counter_action(counter_id, "call-next")
                except queue.NothingWaiting:
                    if not issuing:
                        return
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    follower = threading.Thread(target=follow)
    follower.start()
    # Both processes issue E (one queue, one locked agency row) and one agency each (no row
    # lock in common: only the event log's lock keeps those apart).
    kiosks = [threading.Thread(target=kiosk, args=(hall, code))
              for hall, code in ((first, "E"), (second, "E"), (first, "A"), (second, "B"))]
    counters = [threading.Thread(target=counter, args=(hall, cid, kiosks))  # Loket 5, 6 serve E
                for hall, cid in ((first, 5), (second, 6))]
    for th in kiosks + counters:
        th.start()
    for th in kiosks + counters:
        th.join()
    stop.set()
    follower.join()

    assert not errors, errors
    every = [e["seq"] for e in reader.events_after(0, limit=10_000)]
    assert every == list(range(1, len(every) + 1)), "a seq is missing from the log"
    assert seen == every, "the reader skipped or repeated an event"
    types = [e["type"] for e in reader.events_after(0, limit=10_000)]
    assert types.count("issued") == 100 and types.count("called") == 50


def test_a_rolled_back_change_leaves_no_hole(halls):
    hall = halls[0]
    hall.issue_ticket("A")
    with pytest.raises(queue.NothingWaiting):
        hall.counter_action(2, "call-next")          # nothing waiting at B: rolled back
    with pytest.raises(ZeroDivisionError):
        with hall.db.write(events=True) as s:
            hall.db.next_event_seq(s)
            hall._event(s, "paused", MONDAY_9, MONDAY_9.date(), hall.settings(s))
            1 / 0
    hall.issue_ticket("A")
    assert [e["seq"] for e in hall.events_after(0)] == [1, 2]
