"""When a closed service opens next: weekly hours, holidays, closures by hand, quotas."""
from datetime import date, datetime, timedelta, timezone

from signage.queue.opening import describe, next_opening, weekly_hours

TZ = "Asia/Makassar"                     # WITA, UTC+8
WEEKDAYS_8_15 = {d: ("08:00", "15:00") for d in ("mon", "tue", "wed", "thu", "fri")}


def wita(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh - 8, mm, tzinfo=timezone.utc) if hh >= 8 else \
        datetime(y, m, d, hh, mm, tzinfo=timezone.utc) - timedelta(hours=8)


def test_open_now_is_now():
    now = wita(2026, 11, 30, 9, 30)                       # Monday 09:30
    assert next_opening(now, TZ, WEEKDAYS_8_15) == now


def test_before_opening_today_is_todays_opening():
    assert next_opening(wita(2026, 11, 30, 6, 45), TZ, WEEKDAYS_8_15) == wita(2026, 11, 30, 8)


def test_after_closing_is_the_next_working_day():
    assert next_opening(wita(2026, 11, 30, 15, 0), TZ, WEEKDAYS_8_15) == wita(2026, 12, 1, 8)


def test_friday_evening_and_the_weekend_open_on_monday():
    monday = wita(2026, 11, 30, 8)
    assert next_opening(wita(2026, 11, 27, 16), TZ, WEEKDAYS_8_15) == monday     # Friday 16:00
    assert next_opening(wita(2026, 11, 28, 10), TZ, WEEKDAYS_8_15) == monday     # Saturday
    assert next_opening(wita(2026, 11, 29, 23, 59), TZ, WEEKDAYS_8_15) == monday  # Sunday night


def test_holidays_are_skipped_one_after_another():
    holidays = {"2026-12-24": "Cuti bersama Natal", "2026-12-25": "Natal"}
    # Wednesday 23 December after closing: Thursday and Friday are holidays, then the weekend.
    assert next_opening(wita(2026, 12, 23, 15, 30), TZ, WEEKDAYS_8_15, holidays) == wita(2026, 12, 28, 8)
    # On the holiday itself, before opening time, too.
    assert next_opening(wita(2026, 12, 24, 7), TZ, WEEKDAYS_8_15, holidays) == wita(2026, 12, 28, 8)


def test_closed_for_the_rest_of_today_or_a_used_up_quota_opens_tomorrow():
    now = wita(2026, 11, 30, 10)
    assert next_opening(now, TZ, WEEKDAYS_8_15, closed_through=date(2026, 11, 30)) == wita(2026, 12, 1, 8)
    assert next_opening(now, TZ, WEEKDAYS_8_15, closed_through=date(2026, 12, 4)) == wita(2026, 12, 7, 8)


def test_the_hall_day_is_the_zones_day_not_utcs():
    # 23:30 UTC on Sunday is already Monday 07:30 in Kupang: opens at 08:00 that morning.
    assert next_opening(datetime(2026, 11, 29, 23, 30, tzinfo=timezone.utc), TZ, WEEKDAYS_8_15) == \
        datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc)


def test_own_hours_per_day_and_24_hours():
    hours = {"sat": ("09:00", "12:00"), "sun": ("00:00", "24:00")}
    assert next_opening(wita(2026, 11, 27, 16), TZ, hours) == wita(2026, 11, 28, 9)
    assert next_opening(wita(2026, 11, 28, 12), TZ, hours) == wita(2026, 11, 29, 0)
    assert next_opening(wita(2026, 11, 29, 23, 59), TZ, hours) == wita(2026, 11, 29, 23, 59)


def test_no_hours_at_all_is_no_known_opening():
    assert next_opening(wita(2026, 11, 30, 10), TZ, {}) is None


def test_described_in_indonesian_and_english_in_hall_time():
    moment = wita(2026, 11, 30, 8)
    assert describe(moment, TZ) == "Senin, 30 November, pukul 08.00 WITA"
    assert describe(moment, TZ, "en") == "Monday 30 November, 08:00 WITA"
    assert describe(datetime(2027, 1, 1, 1, 30, tzinfo=timezone.utc), "Asia/Jakarta") == \
        "Jumat, 1 Januari, pukul 08.30 WIB"


def test_weekly_hours_for_visitors_list_every_day_monday_first():
    week = weekly_hours(WEEKDAYS_8_15)
    assert [d["day"] for d in week] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert week[0] == {"day": "mon", "opens": "08:00", "closes": "15:00"}
    assert week[6] == {"day": "sun", "opens": None, "closes": None}
