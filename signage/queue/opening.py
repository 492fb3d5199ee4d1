"""When a closed service opens next, from its weekly hours, holidays and a closure by hand.

Plain Python: the kiosk says "Buka lagi Senin, 30 November, pukul 08.00 WITA" from this, so a
visitor at a closed hall learns when to come back, holidays (and cuti bersama) included.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from ..hall import WEEKDAYS, parse_hhmm
from ..messages import Message, N_, in_language

HORIZON_DAYS = 400   # a year of holidays and closures; beyond that "no known opening"

DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember")
# The same names as messages, for the catalog (English in signage/translations; README "Languages").
DAY_WORDS = (N_("Senin"), N_("Selasa"), N_("Rabu"), N_("Kamis"), N_("Jumat"), N_("Sabtu"), N_("Minggu"))
MONTH_WORDS = (N_("Januari"), N_("Februari"), N_("Maret"), N_("April"), N_("Mei"), N_("Juni"),
               N_("Juli"), N_("Agustus"), N_("September"), N_("Oktober"), N_("November"),
               N_("Desember"))
ZONES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def next_opening(now: datetime, tz: str, hours: Mapping[str, tuple[str, str] | list[str]],
                 holidays: Mapping[str, str] | None = None, *,
                 closed_through: date | None = None) -> datetime | None:
    """The first moment at or after `now` (UTC-aware) at which the service is open: `now` itself
    when it is open, else the opening time of the next day that has hours, is no holiday and is
    after `closed_through` (a hall day: "closed for the rest of today", or a quota used up).
    None when no such day comes within HORIZON_DAYS (no hours at all)."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    holidays = holidays or {}
    for offset in range(HORIZON_DAYS):
        day = local.date() + timedelta(days=offset)
        if closed_through is not None and day <= closed_through:
            continue
        if day.isoformat() in holidays:
            continue
        span = hours.get(WEEKDAYS[day.weekday()])
        if not span:
            continue
        opens, closes = parse_hhmm(span[0]), parse_hhmm(span[1])
        start = datetime.combine(day, opens, zone)
        end = datetime.combine(day + timedelta(days=1), time(0), zone) if closes is None \
            else datetime.combine(day, closes, zone)
        if local >= end:
            continue                      # today's hours are over
        moment = max(start, local)
        # A day open until 24:00 followed by one from 00:00 is one stretch: report its start.
        return moment.astimezone(timezone.utc)
    return None


def describe(moment: datetime, tz: str, lang: str | None = "id") -> str | Message:
    """'Senin, 30 November, pukul 08.00 WITA' / 'Monday 30 November, 08:00 WITA' in hall time:
    in `lang`, or (lang=None) the Indonesian message itself, to be said where it is shown."""
    local = moment.astimezone(ZoneInfo(tz))
    clock = N_("%(hour)s.%(minute)s", hour=f"{local:%H}", minute=f"{local:%M}")
    message = N_("%(weekday)s, %(day)s %(month)s, pukul %(time)s %(zone)s",
                 weekday=DAY_WORDS[local.weekday()], day=local.day, month=MONTH_WORDS[local.month - 1],
                 time=clock, zone=ZONES.get(tz, tz))
    return message if lang is None else in_language(message, lang)


def weekly_hours(hours: Mapping[str, tuple[str, str] | list[str]]) -> list[dict]:
    """The week for visitors, Monday first: [{"day": "mon", "opens": "08:00", "closes": "15:00"}
    or {"day": "sat", "opens": None, "closes": None} for a closed day]."""
    week = []
    for day in WEEKDAYS:
        span = hours.get(day)
        week.append({"day": day, "opens": span[0] if span else None,
                     "closes": span[1] if span else None})
    return week
