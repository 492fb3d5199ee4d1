"""The estimate's arithmetic, checked by hand (signage/estimate.py), and the use cases of the
visitor's phone against a real database with a fake clock (signage/visitor.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from signage import estimate as est
from signage.hall import load_hall
from signage.service import HallService
from signage.store import Database
from signage.store import tables as t
from signage.visitor import LinkExpired, LinkNotFound, NotCancellable, Visitors

MONDAY_9 = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)  # 09:00 WITA


def test_typical_time_alone_gives_a_range_by_hand():
    # 4 ahead, 1 counter, typical 10 min: m = 600 s, sd = 300 s
    # centre = 4.5 * 600 = 2700 s = 45 min; spread = 1.3 * 300 * sqrt(5) + 0.2 * 2700 = 872.1 + 540
    # = 1412.1 s; low = floor(1287.9 / 60 / 5) * 5 = 20; high = ceil(4112.1 / 60 / 5) * 5 = 70
    e = est.estimate(4, 1.0, [], [], 10)
    assert (e.low, e.high, e.basis, e.centre) == (20, 70, "typical", 45.0)
    assert e.text == "sekitar 20–70 menit"


def test_today_beats_weekday_beats_typical():
    today = [300.0] * 5                       # five 5-minute services: sd 0
    weekday = [1200.0] * 9
    assert est.basis(today, weekday, 10) == ("today", 300.0, 0.0)
    assert est.basis(today[:4], weekday, 10) == ("weekday", 1200.0, 0.0)
    assert est.basis(today[:4], weekday[:4], 7)[0:2] == ("typical", 420.0)
    assert est.basis([], [], None)[1] == est.DEFAULT_TYPICAL_MINUTES * 60
    # only the RECENT most recent of today count
    assert est.basis([9999.0] * 10 + [60.0] * est.RECENT, [], None)[1] == 60.0


def test_counters_share_and_paused_counters_do_not_count():
    assert est.counter_share([(False, 1), (False, 1)]) == 2
    assert est.counter_share([(False, 1), (True, 1)]) == 1
    assert est.counter_share([(False, 2)]) == 0.5           # serves two agencies: half of it
    assert est.counter_share([(True, 1)]) == 1.0            # none open: one assumed
    # 10 ahead at 6 minutes: two counters halve the wait
    one, two = est.estimate(10, 1, [360.0] * 6, [], None), est.estimate(10, 2, [360.0] * 6, [], None)
    assert (one.centre, two.centre) == (63.0, 31.5)


def test_next_in_line_is_less_than_five_minutes():
    e = est.estimate(0, 2, [240.0] * 6, [], None)    # centre 0.5 * 240 / 2 = 60 s
    assert (e.low, e.high) == (0, 5)
    assert e.text == "kurang dari 5 menit" and e.text_en == "less than 5 minutes"


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock(MONDAY_9)


@pytest.fixture
def hall(tmp_path, clock):
    db = Database(f"sqlite:///{tmp_path / 'v.db'}")
    db.create_all()
    service = HallService(db, clock=clock)
    service.seed(load_hall())
    yield service
    db.dispose()


def counter_id(hall, name):
    return next(c["id"] for c in hall.counters() if c["name"] == name)


def test_link_is_random_valid_through_its_service_day_then_expired(hall, clock):
    visitors = Visitors(hall)
    ticket = hall.issue_ticket("A")
    link = visitors.link(ticket["id"])
    assert link == visitors.link(ticket["id"])                      # a retry: the same link
    assert ticket["number"] not in link["token"] and len(link["token"]) == 32
    assert link["expires_at"] == "2026-11-30T16:00:00+00:00"        # midnight WITA
    assert visitors.view(link["token"])["number"] == "A001"
    clock.now = datetime(2026, 11, 30, 15, 59, tzinfo=timezone.utc)
    assert visitors.view(link["token"])["status"] == "waiting"
    clock.now = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)
    with pytest.raises(LinkExpired):
        visitors.view(link["token"])
    with pytest.raises(LinkNotFound):
        visitors.view("x" * 32)
    with pytest.raises(LinkNotFound):
        visitors.view(None)


def test_view_follows_the_ticket_and_the_estimate_uses_todays_pace(hall, clock):
    visitors = Visitors(hall)
    tickets = [hall.issue_ticket("A") for _ in range(8)]
    loket1 = counter_id(hall, "Loket 1")
    view = visitors.view(visitors.link(tickets[7]["id"])["token"])
    assert (view["ahead"], view["waiting"], view["estimate"]["basis"]) == (7, 8, "typical")
    for _ in range(6):      # six 4-minute services today
        hall.counter_action(loket1, "call-next")
        clock.now += timedelta(minutes=4)
        hall.counter_action(loket1, "finish")
    visitors.forget()
    view = visitors.view(visitors.link(tickets[7]["id"])["token"])
    # 1 ahead, 1 counter, m = 240 s, sd 0: centre 1.5 * 240 = 360 s; spread 0.2 * 360 = 72 s:
    # 288..432 s = 4.8..7.2 min, to whole fives: 0..10
    assert (view["ahead"], view["estimate"]["basis"]) == (1, "today")
    assert (view["estimate"]["min"], view["estimate"]["max"]) == (0, 10)
    # pausing the only counter leaves "one assumed", not a division by zero
    hall.counter_action(loket1, "pause")
    visitors.forget()
    assert visitors.view(visitors.link(tickets[7]["id"])["token"])["estimate"]["max"] == 10
    hall.counter_action(loket1, "resume")
    hall.counter_action(loket1, "call-next")
    hall.counter_action(loket1, "recall")
    called = visitors.view(visitors.link(tickets[6]["id"])["token"])
    assert (called["status"], called["counter"], called["calls"], called["ahead"]) == ("called", "Loket 1", 2, None)


def test_a_weekday_history_is_used_before_today_has_enough(hall, clock):
    visitors = Visitors(hall)
    loket1 = counter_id(hall, "Loket 1")
    clock.now = MONDAY_9 - timedelta(weeks=1)
    for _ in range(5):
        hall.issue_ticket("A")
        hall.counter_action(loket1, "call-next")
        clock.now += timedelta(minutes=20)
        hall.counter_action(loket1, "finish")
    clock.now = MONDAY_9
    ticket = hall.issue_ticket("A")
    assert visitors.for_new_ticket(ticket)["estimate"]["basis"] == "weekday"
    visitors.set_typical({"minutes": {"B": 3}})
    assert visitors.agency_estimates()["B"]["basis"] == "typical"
    assert visitors.typical() == {"B": 3.0}


def test_cancel_leaves_the_queue_counts_in_statistics_and_tells_the_screens(hall, clock):
    events = []
    hall.subscribe(events.extend)
    visitors = Visitors(hall)
    first, second = hall.issue_ticket("A"), hall.issue_ticket("A")
    token = visitors.link(first["id"])["token"]
    view = visitors.cancel(token)
    assert view["status"] == "cancelled"
    assert events[-1]["type"] == "cancelled" and events[-1]["ticket"] == "A001"
    assert events[-1]["waiting"]["A"] == 1
    assert visitors.cancel(token)["status"] == "cancelled"           # twice: no error, no event
    assert [e["type"] for e in events].count("cancelled") == 1
    assert visitors.view(visitors.link(second["id"])["token"])["ahead"] == 0
    day = MONDAY_9.date()
    stats = hall.statistics(day, day, ["A"])
    assert stats["services"][0]["cancelled"] == 1 and stats["totals"]["cancelled"] == 1
    hall.counter_action(counter_id(hall, "Loket 1"), "call-next")     # calls A002, not the cancelled one
    assert visitors.view(visitors.link(second["id"])["token"])["status"] == "called"
    with pytest.raises(NotCancellable):
        visitors.cancel(visitors.link(second["id"])["token"])
    with hall.db.read() as s:
        assert s.scalar(select(t.Ticket.status).where(t.Ticket.number == "A001")) == "cancelled"


def test_an_expired_link_gets_a_clear_page_not_an_error(tmp_path):
    from signage.web import Config, create_app
    app, _ = create_app(Config(db_url=f"sqlite:///{tmp_path / 'expired.db'}", hall=load_hall(),
                               async_mode="threading", audio_dir=tmp_path / "audio",
                               media_dir=tmp_path / "media"))
    visitors = app.extensions["visitor"]
    hall = app.extensions["signage"].service
    hall.clock = visitors.clock = lambda: MONDAY_9
    token = visitors.link(hall.issue_ticket("A")["id"])["token"]
    client = app.test_client()
    assert client.get(f"/t/{token}").status_code == 200
    visitors.clock = lambda: MONDAY_9 + timedelta(days=1)
    page = client.get(f"/t/{token}")
    assert page.status_code == 410 and "Tautan tiket sudah tidak berlaku" in page.get_data(as_text=True)
    answer = client.get(f"/api/visitor/{token}")
    assert answer.status_code == 410 and "tidak berlaku" in answer.get_json()["error"]
    assert client.post(f"/api/visitor/{token}/cancel").status_code == 410
