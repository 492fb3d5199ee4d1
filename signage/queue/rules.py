"""Numbering, ordering and opening-hours rules."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from ..hall import WEEKDAYS, parse_hhmm
from .errors import NothingWaiting
from .model import Ticket, TicketStatus
from ..messages import N_


def service_day(now: datetime, tz: str) -> date:
    """The hall's calendar day for a UTC instant: numbering restarts on it."""
    return now.astimezone(ZoneInfo(tz)).date()


def format_number(prefix: str, seq: int) -> str:
    """A001 ... A999, then A1000: never wraps, so a number is unique for the day."""
    if seq < 1:
        raise ValueError("ticket sequence starts at 1")
    return f"{prefix}{seq:03d}"


def pick_next(waiting: Iterable[Ticket]) -> Ticket:
    """The ticket a counter calls next: priority first (UU 25/2009 Pasal 29), then oldest.

    The caller passes only waiting tickets of the services the counter serves; ids break ties
    so the order is total and two equal timestamps can never reorder the queue.
    """
    best = min(waiting, key=lambda t: (not t.priority, t.enqueued_at, t.id), default=None)
    if best is None:
        raise NothingWaiting(N_("Tidak ada antrian yang menunggu."))
    return best


def skip_outcome(ticket_skips: int, policy: str) -> TicketStatus:
    """What a no-show becomes: back of the queue once ('requeue_once'), or dropped ('drop')."""
    if policy == "requeue_once" and ticket_skips == 0:
        return TicketStatus.WAITING
    return TicketStatus.NO_SHOW


def is_open(now: datetime, tz: str, hours: Mapping[str, tuple[str, str]],
            holidays: Mapping[str, str] | None = None,
            closed_reason: str | None = None) -> tuple[bool, str | None]:
    """Whether tickets may be issued now, and if not, why (Indonesian, shown on the kiosk)."""
    if closed_reason:
        return False, closed_reason
    local = now.astimezone(ZoneInfo(tz))
    holiday = (holidays or {}).get(local.date().isoformat())
    if holiday:
        return False, N_("Libur: %(holiday)s", holiday=holiday)
    span = hours.get(WEEKDAYS[local.weekday()])
    if not span:
        return False, N_("Tutup hari ini")
    opens, closes = parse_hhmm(span[0]), parse_hhmm(span[1])
    if local.time() < opens:
        return False, N_("Belum buka (buka pukul %(opens)s %(zone)s)", opens=span[0], zone=_zone_label(tz))
    if closes is not None and local.time() >= closes:
        return False, N_("Sudah tutup (jam layanan %(opens)s–%(closes)s %(zone)s)", opens=span[0], closes=span[1],
                          zone=_zone_label(tz))
    return True, None


def _zone_label(tz: str) -> str:
    return {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}.get(tz, tz)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
