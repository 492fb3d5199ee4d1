"""The print queue's rules with a fake clock: one job per ticket, slips in ticket order, back-off
for the whole printer, nothing printed for a visitor long gone, and what the kiosk is told."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from signage.accounts import Principal
from signage.hall import load_hall
from signage.printing.service import JOB_TTL, Printing
from signage.printing.transport import Status
from signage.service import HallService
from signage.store import Database
from signage.store import tables as t
from support import ALWAYS_OPEN_HALL

T0 = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)      # Monday 09:00 WITA
MANAGER = Principal(kind="token", role="manager", name="uji")


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


@pytest.fixture
def hall(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'print.db'}")
    db.create_all()
    clock = Clock()
    service = HallService(db, clock=clock)
    service.seed(load_hall(ALWAYS_OPEN_HALL))
    with db.write() as s:
        s.add(t.Device(id=7, kind="kiosk", name="Kios 1", secret_hash="x" * 64, created_at=T0, paired_at=T0))
    printing = Printing(db, clock, service.settings, tmp_path)
    told = []
    printing.notify = lambda device_id, info: told.append((device_id, info))
    printing.configure(MANAGER, 7, {"kind": "network", "address": "127.0.0.1:9", "paper": 80})
    return service, printing, clock, told


def issue(service, printing, code="A"):
    ticket = service.issue_ticket(code)
    return ticket, printing.on_ticket(7, ticket)


def test_one_job_per_ticket_and_slips_in_ticket_order(hall):
    service, printing, clock, told = hall
    first, answer = issue(service, printing)
    assert answer["mode"] == "server" and answer["state"] == "queued"
    assert printing.on_ticket(7, first)["job"] == answer["job"]          # the same ticket again
    second, _ = issue(service, printing)
    assert [j.number for j in printing.due()] == [first["number"], second["number"]]


def test_a_failed_try_holds_the_whole_printer_back_then_retries(hall):
    service, printing, clock, told = hall
    issue(service, printing)
    issue(service, printing)
    job = printing.due()[0]
    printing.record(7, Status("paper_out", "Kertas habis."), job, printed=False)
    assert printing.due() == []                                        # both wait out the back-off
    assert told[-1][1]["print"] == {"job": job.id, "number": job.number, "state": "waiting",
                                    "printer": "paper_out", "detail": "Kertas habis."}
    assert told[-1][1]["printer"]["state"] == "paper_out"
    clock.now += timedelta(seconds=2)
    assert len(printing.due()) == 2
    printing.record(7, Status("ok"), job, printed=True)
    assert told[-1][1]["print"]["state"] == "printed"
    assert [j.id for j in printing.due()] != [job.id] and len(printing.due()) == 1
    # A new ticket while the printer is known out of paper is told so at once.
    printing.record(7, Status("paper_out", "Kertas habis."))
    _, answer = issue(service, printing)
    assert (answer["state"], answer["printer"], answer["detail"]) == ("waiting", "paper_out", "Kertas habis.")


def test_backoff_grows_to_ten_seconds(hall):
    service, printing, clock, told = hall
    issue(service, printing)
    waits = []
    for _ in range(7):
        job = printing.due()[0]
        printing.record(7, Status("offline", "Printer tidak menjawab."), job)
        start = clock.now
        while not printing.due():
            clock.now += timedelta(seconds=1)
        waits.append((clock.now - start).total_seconds())
    assert waits == [2, 3, 5, 5, 10, 10, 10]


def test_a_slip_nobody_waits_for_is_not_printed(hall):
    service, printing, clock, told = hall
    issue(service, printing)
    clock.now += JOB_TTL + timedelta(seconds=1)
    assert printing.due() == []
    assert printing.kiosks([])[0]["pending_prints"] == 0


def test_a_kiosk_switched_to_the_browser_prints_nothing_more_here(hall):
    service, printing, clock, told = hall
    issue(service, printing)
    printing.configure(MANAGER, 7, {"kind": "browser", "paper": 58})
    assert printing.due() == []
    ticket, answer = issue(service, printing)
    assert answer == {"mode": "browser", "paper": 58}
    assert printing.kiosks([{"device_id": 7, "page": "kiosk"}])[0]["up"] is True    # connected now
    assert printing.kiosks([{"device_id": 7, "page": "display"}])[0]["up"] is False
    assert printing.kiosks([])[0]["last_ticket"] == ticket["number"]


def test_probes_ask_idle_printers_every_so_often(hall):
    service, printing, clock, told = hall
    assert printing.probes(timedelta(seconds=30)) == [(7, "network", "127.0.0.1:9")]
    printing.record(7, Status("ok"))
    assert printing.probes(timedelta(seconds=30)) == []
    clock.now += timedelta(seconds=30)
    assert printing.probes(timedelta(seconds=30)) == [(7, "network", "127.0.0.1:9")]


def test_done_jobs_and_their_bytes_do_not_pile_up(hall):
    service, printing, clock, told = hall
    issue(service, printing)
    job = printing.due()[0]
    printing.record(7, Status("ok"), job, printed=True)
    issue(service, printing)                                 # never printed: expires, then goes
    from sqlalchemy import func, select
    from signage.store.printing import PrintJob

    def jobs():
        with printing.db.read() as s:
            return s.scalar(select(func.count()).select_from(PrintJob))
    clock.now += timedelta(days=1)
    printing.due()
    assert jobs() == 2
    clock.now += timedelta(days=1, hours=1)
    printing.due()
    assert jobs() == 0
