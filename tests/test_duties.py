"""The hall-duties lease (store/duties.py): one process of a hall at a time, another after it dies."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from signage.store import Database
from signage.store.duties import LEASE_S, Duties

pytestmark = pytest.mark.both_databases


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def test_one_holder_at_a_time_and_a_takeover_after_the_lease_ran_out(database_url):
    db = Database(database_url)
    db.create_all()
    clock = Clock()
    first, second = Duties(db, "host:1", clock), Duties(db, "host:2", clock)
    taken = []
    second.on_taken.append(lambda: taken.append("second"))

    assert first.claim() and not second.claim()
    clock.now += timedelta(seconds=LEASE_S - 1)
    assert first.claim() and not second.claim()       # renewed in time: still the first's
    clock.now += timedelta(seconds=LEASE_S - 1)
    assert not second.claim() and taken == []

    clock.now += timedelta(seconds=LEASE_S + 1)      # the first stopped renewing (killed)
    assert second.claim() and taken == ["second"]
    assert not first.claim() and not first.held       # and does not take it back while it runs
    second.release()
    assert first.claim()
    db.dispose()
