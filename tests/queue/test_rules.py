from datetime import datetime, timedelta, timezone

import pytest

from signage import queue
from signage.queue import Ticket, TicketStatus

T0 = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 WITA
HOURS = {d: ("08:00", "15:00") for d in ("mon", "tue", "wed", "thu", "fri")}


def ticket(id_, minutes=0, priority=False, code="A"):
    return Ticket(id=id_, number=f"{code}{id_:03d}", service_code=code, priority=priority,
                  enqueued_at=T0 + timedelta(minutes=minutes))


def test_numbers_are_prefix_and_three_digits_without_wrapping():
    assert queue.format_number("A", 1) == "A001"
    assert queue.format_number("K", 42) == "K042"
    assert queue.format_number("B", 999) == "B999"
    assert queue.format_number("B", 1000) == "B1000"
    with pytest.raises(ValueError):
        queue.format_number("A", 0)


def test_service_day_is_the_halls_calendar_day():
    # 16:30 UTC on Sunday is 00:30 Monday in Kupang (UTC+8): a new service day there.
    late = datetime(2026, 11, 29, 16, 30, tzinfo=timezone.utc)
    assert queue.service_day(late, "Asia/Makassar").isoformat() == "2026-11-30"
    assert queue.service_day(late, "UTC").isoformat() == "2026-11-29"


def test_oldest_waiting_ticket_is_called_first():
    assert queue.pick_next([ticket(2, 5), ticket(1, 1), ticket(3, 9)]).id == 1


def test_priority_goes_first_then_oldest():
    chosen = queue.pick_next([ticket(1, 0), ticket(2, 3, priority=True), ticket(3, 1, priority=True)])
    assert chosen.id == 3


def test_equal_times_are_ordered_by_id_so_none_is_passed_over():
    assert queue.pick_next([ticket(7, 0), ticket(5, 0), ticket(6, 0)]).id == 5


def test_nothing_waiting_is_a_domain_error():
    with pytest.raises(queue.NothingWaiting):
        queue.pick_next([])


def test_skip_policy_requeues_once_then_drops():
    assert queue.skip_outcome(0, "requeue_once") == TicketStatus.WAITING
    assert queue.skip_outcome(1, "requeue_once") == TicketStatus.NO_SHOW
    assert queue.skip_outcome(0, "drop") == TicketStatus.NO_SHOW


@pytest.mark.parametrize("utc, expected_open, reason_part", [
    (datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc), True, None),        # Mon 08:00 WITA
    (datetime(2026, 11, 29, 23, 59, tzinfo=timezone.utc), False, "Belum buka"),  # Mon 07:59
    (datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc), False, "Sudah tutup"),  # Mon 15:00
    (datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc), False, "Tutup hari ini"),  # Saturday
])
def test_opening_hours_in_hall_time(utc, expected_open, reason_part):
    open_, reason = queue.is_open(utc, "Asia/Makassar", HOURS)
    assert open_ is expected_open
    if reason_part:
        assert reason_part in reason and (expected_open or reason)


def test_holidays_and_manual_closure_close_the_service():
    monday = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)
    assert queue.is_open(monday, "Asia/Makassar", HOURS, {"2026-11-30": "Cuti bersama"}) == \
        (False, "Libur: Cuti bersama")
    assert queue.is_open(monday, "Asia/Makassar", HOURS, {}, "Gangguan jaringan") == \
        (False, "Gangguan jaringan")
