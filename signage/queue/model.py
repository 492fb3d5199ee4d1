"""The facts the rules reason about, detached from how they are stored."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"      # at a counter now (called or recalled, being served)
    SERVED = "served"
    NO_SHOW = "no_show"    # skipped and dropped
    CANCELLED = "cancelled"  # the visitor left the queue from their phone (visitor.py)


class CounterState(StrEnum):
    IDLE = "idle"
    SERVING = "serving"
    PAUSED = "paused"


@dataclass(frozen=True)
class Ticket:
    id: int
    number: str
    service_code: str
    priority: bool
    enqueued_at: datetime
    skip_count: int = 0
