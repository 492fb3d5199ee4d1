"""The queue rules: plain Python, no Flask, Socket.IO or SQLAlchemy.

The storage layer loads the facts (tickets, counters), these functions decide, and the
storage layer writes the decision back inside the same transaction.
"""
from .errors import (CounterPaused, NoCurrentTicket, NothingWaiting, QueueError,
                     ServiceClosed, UnknownCounter, UnknownService, DailyLimitReached)
from .model import CounterState, Ticket, TicketStatus
from .rules import (format_number, is_open, pick_next, service_day, skip_outcome)

__all__ = [
    "CounterPaused", "NoCurrentTicket", "NothingWaiting", "QueueError", "ServiceClosed",
    "UnknownCounter", "UnknownService", "DailyLimitReached",
    "CounterState", "Ticket", "TicketStatus",
    "format_number", "is_open", "pick_next", "service_day", "skip_outcome",
]
