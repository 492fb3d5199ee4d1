"""A scripted day at the hall, and every figure of its statistics checked by hand."""
from __future__ import annotations

from datetime import date

import pytest

from support import HallDayClock as Clock

from signage.hall import load_hall
from signage.service import HallService
from signage.stats import percentile
from signage.store import Database

pytestmark = pytest.mark.both_databases   # the day's figures are the same on SQLite and PostgreSQL


@pytest.fixture
def day(database_url):
    clock = Clock()
    db = Database(database_url)
    db.create_all()
    hall = HallService(db, clock=clock)
    hall.seed(load_hall())
    loket1, loket2 = 1, 2  # Loket 1 serves A, Loket 2 serves B
    script = [
        ("08:00", lambda: hall.issue_ticket("A")),                       # A001
        ("08:05", lambda: hall.issue_ticket("A")),                       # A002
        ("08:10", lambda: hall.issue_ticket("B")),                       # B001
        ("08:10", lambda: hall.counter_action(loket1, "call-next")),     # A001 waited 600 s
        ("08:20", lambda: hall.counter_action(loket1, "finish")),        # A001 served in 600 s
        ("08:20", lambda: hall.counter_action(loket1, "call-next")),     # A002 waited 900 s
        ("08:22", lambda: hall.counter_action(loket1, "skip")),          # A002 to the back
        ("08:30", lambda: hall.counter_action(loket2, "call-next")),     # B001 waited 1200 s
        ("08:40", lambda: hall.counter_action(loket2, "transfer", service_code="A")),
        ("08:45", lambda: hall.counter_action(loket1, "call-next")),     # A002 again
        ("08:50", lambda: hall.counter_action(loket1, "skip")),          # A002 dropped
        ("08:50", lambda: hall.counter_action(loket1, "call-next")),     # B001 at Loket 1
        ("09:10", lambda: hall.counter_action(loket1, "finish")),        # B001 served in 1200 s
        ("09:15", lambda: hall.issue_ticket("A")),                       # A003 still waiting
    ]
    for hhmm, step in script:
        clock.at(hhmm)
        step()
    return hall


def test_scripted_day_per_service(day):
    result = day.statistics(date(2026, 11, 30), date(2026, 11, 30))
    by_code = {row["code"]: row for row in result["services"]}
    a, b = by_code["A"], by_code["B"]
    assert (a["issued"], a["served"], a["skipped"], a["waiting"]) == (3, 2, 1, 1)
    assert (b["issued"], b["served"], b["skipped"], b["waiting"]) == (1, 0, 0, 0)
    assert a["wait_seconds"] == {"avg": 750.0, "p90": 900.0}        # A001 600, A002 900
    assert b["wait_seconds"] == {"avg": 1200.0, "p90": 1200.0}      # B001 1200
    assert a["service_seconds"] == {"avg": 900.0, "p90": 1200.0}    # A001 600, B001 1200
    assert b["service_seconds"] == {"avg": None, "p90": None}
    assert all(row["issued"] == 0 for code, row in by_code.items() if code not in "AB")
    assert result["totals"] == {"issued": 4, "served": 2, "skipped": 1, "cancelled": 0, "waiting": 1}


def test_scripted_day_per_counter_and_hour(day):
    result = day.statistics(date(2026, 11, 30), date(2026, 11, 30))
    counters = {row["counter"]: row for row in result["counters"]}
    assert counters["Loket 1"] | {} == {"counter": "Loket 1", "called": 3, "served": 2, "skipped": 1,
                                        "transferred": 0, "serving": 0,
                                        "service_seconds": {"avg": 900.0, "p90": 1200.0}}
    # Loket 2 called B001 and transferred it to A: it counts there, as transferred out.
    assert counters["Loket 2"] | {} == {"counter": "Loket 2", "called": 1, "served": 0, "skipped": 0,
                                        "transferred": 1, "serving": 0,
                                        "service_seconds": {"avg": None, "p90": None}}
    hours = {row["hour"]: row["issued"] for row in result["per_hour"]}
    assert hours[8] == 3 and hours[9] == 1 and sum(hours.values()) == 4


def test_other_days_and_service_filter(day):
    assert day.statistics(date(2026, 12, 1), date(2026, 12, 1))["totals"]["issued"] == 0
    only_b = day.statistics(date(2026, 11, 30), date(2026, 11, 30), ["B"])
    assert [row["code"] for row in only_b["services"]] == ["B"]


def test_percentile_is_nearest_rank():
    assert percentile([], 90) is None
    assert percentile([5], 90) == 5
    assert percentile(list(range(1, 11)), 90) == 9
    assert percentile(list(range(1, 101)), 90) == 90
