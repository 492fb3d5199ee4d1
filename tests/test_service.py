"""The hall service against a real database, SQLite and PostgreSQL: numbering, calling,
concurrency, timelines."""
from __future__ import annotations

import threading
from collections import Counter as Tally
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from signage import queue
from signage.hall import load_hall
from signage.service import HallService, InvalidRequest
from signage.store import Database
from signage.store import tables as t

MONDAY_9 = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)  # 09:00 WITA

pytestmark = pytest.mark.both_databases


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock(MONDAY_9)


@pytest.fixture
def hall(database_url, clock):
    db = Database(database_url)
    db.create_all()
    service = HallService(db, clock=clock)
    service.seed(load_hall())
    yield service
    db.dispose()


def counter_id(hall, name):
    return next(c["id"] for c in hall.counters() if c["name"] == name)


def test_kupang_default_has_eleven_agencies_and_a_counter_each(hall):
    services = hall.services()
    assert len(services) == 11
    assert len({s["prefix"] for s in services}) == 11
    served = {code for c in hall.counters() for code in c["services"]}
    assert served == {s["code"] for s in services}
    assert hall.settings()["timezone"] == "Asia/Makassar"


def test_numbers_count_up_per_service_and_restart_each_service_day(hall, clock):
    assert [hall.issue_ticket("A")["number"] for _ in range(3)] == ["A001", "A002", "A003"]
    assert hall.issue_ticket("B")["number"] == "B001"
    clock.now = MONDAY_9 + timedelta(days=1)
    assert hall.issue_ticket("A")["number"] == "A001"


def test_closed_hours_refuse_tickets_with_the_reason(hall, clock):
    clock.now = datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc)  # Saturday
    with pytest.raises(queue.ServiceClosed, match="Tutup hari ini"):
        hall.issue_ticket("A")
    assert hall.snapshot()["seq"] == 0


def test_bad_ticket_requests_change_nothing(hall):
    for service, priority in (("Z", False), ("", False), (None, False), (5, False), ("A", "yes")):
        with pytest.raises(queue.QueueError):
            hall.issue_ticket(service, priority)
    assert hall.services()[0]["waiting"] == 0 and hall.snapshot()["seq"] == 0


def test_position_counts_the_people_ahead(hall):
    hall.issue_ticket("A")
    hall.issue_ticket("A")
    assert hall.issue_ticket("A")["ahead"] == 2
    assert hall.issue_ticket("A", priority=True)["position"] == 1


def test_call_next_takes_priority_then_oldest_and_finishes_the_previous(hall, clock):
    loket1 = counter_id(hall, "Loket 1")
    hall.issue_ticket("A")
    clock.now += timedelta(minutes=1)
    hall.issue_ticket("A", priority=True)
    assert hall.counter_action(loket1, "call-next")["ticket"]["number"] == "A002"
    assert hall.counter_action(loket1, "call-next")["ticket"]["number"] == "A001"
    timeline = hall.ticket_timeline("A002")
    assert [e["type"] for e in timeline] == ["issued", "called", "finished"]
    with pytest.raises(queue.NothingWaiting):
        hall.counter_action(loket1, "call-next")


def test_counter_only_calls_services_it_serves(hall):
    hall.issue_ticket("B")
    with pytest.raises(queue.NothingWaiting):
        hall.counter_action(counter_id(hall, "Loket 1"), "call-next")
    assert hall.counter_action(counter_id(hall, "Loket 2"), "call-next")["ticket"]["number"] == "B001"


def test_recall_repeats_the_call_and_is_counted(hall):
    loket = counter_id(hall, "Loket 1")
    hall.issue_ticket("A")
    hall.counter_action(loket, "call-next")
    view = hall.counter_action(loket, "recall")
    assert view["ticket"]["number"] == "A001"
    calls = [e for e in hall.events_after(0) if e["type"] == "called"]
    assert [c["recall"] for c in calls] == [False, True]
    with hall.db.read() as s:
        assert s.scalar(select(t.Ticket.recall_count)) == 1


def test_skip_requeues_once_then_drops(hall, clock):
    loket = counter_id(hall, "Loket 1")
    hall.issue_ticket("A")
    clock.now += timedelta(seconds=1)
    hall.issue_ticket("A")
    hall.counter_action(loket, "call-next")                   # A001
    clock.now += timedelta(minutes=1)
    hall.counter_action(loket, "skip")                        # A001 to the back
    assert hall.counter_action(loket, "call-next")["ticket"]["number"] == "A002"
    hall.counter_action(loket, "finish")
    assert hall.counter_action(loket, "call-next")["ticket"]["number"] == "A001"
    hall.counter_action(loket, "skip")                        # second no-show: dropped
    with pytest.raises(queue.NothingWaiting):
        hall.counter_action(loket, "call-next")
    assert [e["type"] for e in hall.ticket_timeline("A001")] == \
        ["issued", "called", "skipped", "called", "skipped"]


def test_skip_policy_drop(hall):
    with hall.db.write() as s:
        s.get(t.Setting, "skip_policy").value = "drop"
    loket = counter_id(hall, "Loket 1")
    hall.issue_ticket("A")
    hall.counter_action(loket, "call-next")
    hall.counter_action(loket, "skip")
    assert hall.services()[0]["waiting"] == 0


def test_transfer_keeps_the_number_in_the_other_queue(hall):
    hall.issue_ticket("A")
    hall.counter_action(counter_id(hall, "Loket 1"), "call-next")
    view = hall.counter_action(counter_id(hall, "Loket 1"), "transfer", service_code="E")
    assert view["ticket"] is None and view["state"] == "idle"
    called = hall.counter_action(counter_id(hall, "Loket 5"), "call-next")
    assert called["ticket"] == {**called["ticket"], "number": "A001", "service": "E"}
    with pytest.raises(InvalidRequest):
        hall.counter_action(counter_id(hall, "Loket 5"), "transfer", service_code="E")
    with pytest.raises(queue.UnknownService):
        hall.counter_action(counter_id(hall, "Loket 5"), "transfer", service_code="Q")


def test_pause_blocks_calls_until_resume(hall):
    loket = counter_id(hall, "Loket 1")
    hall.issue_ticket("A")
    assert hall.counter_action(loket, "pause")["state"] == "paused"
    with pytest.raises(queue.CounterPaused):
        hall.counter_action(loket, "call-next")
    assert hall.counter_action(loket, "resume")["state"] == "idle"
    assert hall.counter_action(loket, "call-next")["ticket"]["number"] == "A001"
    with pytest.raises(queue.QueueError):
        hall.counter_action(loket, "pause")  # finish the ticket first


def test_actions_without_a_current_ticket_are_refused(hall):
    loket = counter_id(hall, "Loket 1")
    for action in ("recall", "skip", "finish"):
        with pytest.raises(queue.NoCurrentTicket):
            hall.counter_action(loket, action)
    with pytest.raises(queue.UnknownCounter):
        hall.counter_action(999, "call-next")


def test_same_idempotency_key_calls_one_ticket_not_two(hall):
    loket = counter_id(hall, "Loket 1")
    hall.issue_ticket("A")
    hall.issue_ticket("A")
    first = hall.counter_action(loket, "call-next", idempotency_key="tap-1")
    again = hall.counter_action(loket, "call-next", idempotency_key="tap-1")
    assert first == again and first["ticket"]["number"] == "A001"
    assert hall.services()[0]["waiting"] == 1
    assert hall.counter_action(loket, "call-next", idempotency_key="tap-2")["ticket"]["number"] == "A002"


def test_every_change_has_a_numbered_event_in_order(hall):
    loket = counter_id(hall, "Loket 1")
    hall.issue_ticket("A")
    hall.counter_action(loket, "call-next")
    hall.counter_action(loket, "finish")
    events = hall.events_after(0)
    assert [e["seq"] for e in events] == [1, 2, 3]
    assert [e["type"] for e in events] == ["issued", "called", "finished"]
    assert events[1]["counter"]["name"] == "Loket 1" and events[1]["waiting"]["A"] == 0


def test_threads_hammering_issue_and_call_next_lose_and_double_nothing(hall):
    """8 kiosks and 2 counters of one agency (Loket 5 and 6 serve E) at the same time."""
    kiosks, per_kiosk = 8, 40
    issued, called, errors = [], [], []
    lock = threading.Lock()
    done_issuing = threading.Event()

    def kiosk():
        for _ in range(per_kiosk):
            number = hall.issue_ticket("E")["number"]
            with lock:
                issued.append(number)

    def counter(cid):
        while True:
            all_issued = done_issuing.is_set()  # read before calling, so no late ticket is left
            try:
                view = hall.counter_action(cid, "call-next")
            except queue.NothingWaiting:
                if all_issued:
                    return
                continue
            except Exception as exc:  # noqa: BLE001 - any other error fails the test below
                errors.append(exc)
                return
            with lock:
                called.append(view["ticket"]["number"])

    kiosk_threads = [threading.Thread(target=kiosk) for _ in range(kiosks)]
    counter_threads = [threading.Thread(target=counter, args=(cid,))
                       for cid in (counter_id(hall, "Loket 5"), counter_id(hall, "Loket 6"))]
    for th in kiosk_threads + counter_threads:
        th.start()
    for th in kiosk_threads:
        th.join()
    done_issuing.set()
    for th in counter_threads:
        th.join()
    assert not errors
    assert len(issued) == kiosks * per_kiosk == len(set(issued))
    assert sorted(issued) == [f"E{n:03d}" for n in range(1, kiosks * per_kiosk + 1)]
    assert len(called) == len(set(called)), Tally(called).most_common(3)
    assert set(called) == set(issued)
