"""The store's types mean the same on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import exc, func, select

from signage.store import Database
from signage.store import tables as t

pytestmark = pytest.mark.both_databases

WITA = timezone(timedelta(hours=8))


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    database.create_all()
    yield database
    database.dispose()


def test_times_go_in_aware_in_any_zone_and_come_back_as_the_same_instant_in_utc(db):
    in_kupang = datetime(2026, 11, 30, 8, 0, 0, 123456, tzinfo=WITA)
    with db.write() as s:
        s.add(t.AuditEntry(at=in_kupang, actor="test", action="probe", detail={}))
    with db.read() as s:
        stored = s.scalar(select(t.AuditEntry.at))
        earliest = s.scalar(select(func.min(t.AuditEntry.at)))   # through SQL, still the type
        found = s.scalar(select(func.count()).select_from(t.AuditEntry).where(
            t.AuditEntry.at == datetime(2026, 11, 30, 0, 0, 0, 123456, tzinfo=timezone.utc)))
    assert stored == in_kupang and stored.tzinfo == timezone.utc
    assert stored.isoformat() == "2026-11-30T00:00:00.123456+00:00"
    assert earliest == in_kupang and found == 1


def test_a_naive_time_is_refused(db):
    with pytest.raises(exc.StatementError, match="naive datetime"):
        with db.write() as s:
            s.add(t.AuditEntry(at=datetime(2026, 11, 30, 8, 0), actor="test", action="probe", detail={}))
            s.flush()
