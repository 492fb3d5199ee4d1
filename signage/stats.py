"""How the day went: counts and waiting/service times per service, per counter, per hour.

Plain Python over ticket facts, so the figures can be checked by hand against a scripted day.
Definitions (hall time):
- issued: tickets taken at the kiosk for the service (its issuing service, even if transferred);
- served / skipped: tickets finished / dropped as no-show, under the service that ended them;
- cancelled: tickets the visitor took out of the queue on their phone (visitor.py);
- waiting: tickets still in the queue of that service;
- wait time: from issue to the ticket's first call; service time: from its last call to finish.

Per counter, each ticket the counter called counts once, by how its last call there ended:
called = served + skipped + transferred (to another agency) + serving (still at the counter).
A ticket skipped at one counter and served at another counts at both, once each; a recall is no
new call. (Until issue 14 a counter lost the tickets it called and then transferred.)
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class TicketFacts:
    number: str
    issuing_service: str
    service: str
    status: str
    issued_at: datetime
    first_called_at: datetime | None
    called_at: datetime | None
    finished_at: datetime | None
    counter: str | None


@dataclass(frozen=True)
class CounterVisit:
    """One ticket at one counter: how its last call there ended (COUNTER_OUTCOMES)."""
    counter: str
    ticket: int
    outcome: str
    called_at: datetime
    ended_at: datetime | None


COUNTER_OUTCOMES = ("served", "skipped", "transferred", "serving")
_ENDINGS = {"finished": "served", "skipped": "skipped", "transferred": "transferred"}


def counter_visits(events) -> list[CounterVisit]:
    """Visits from the event log: `events` are (ticket_id, counter name, type, at, recall) in seq
    order, for types called, finished, skipped and transferred."""
    visits: dict[tuple[int, str], dict] = {}
    for ticket, counter, type_, at, recall in events:
        if not counter or ticket is None:
            continue
        key = (ticket, counter)
        if type_ == "called":
            if recall and key in visits:
                continue
            visits[key] = {"outcome": "serving", "called_at": at, "ended_at": None}
        elif type_ in _ENDINGS and key in visits:
            visits[key].update(outcome=_ENDINGS[type_], ended_at=at)
    return [CounterVisit(counter=c, ticket=tk, **v) for (tk, c), v in visits.items()]


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile: an actual observed value, easy to check by hand."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _summary(values: list[float]) -> dict:
    return {"avg": round(sum(values) / len(values), 1) if values else None,
            "p90": percentile(values, 90)}


def compute(tickets: list[TicketFacts], services: list[str], counters: list[str], tz: str,
            visits: list[CounterVisit] | None = None) -> dict:
    """`visits`: the counters' calls (counter_visits); without them, each ticket counts at the
    counter it ended at (the figures before issue 14, which miss transfers)."""
    zone = ZoneInfo(tz)
    per_service = {code: _blank(code) for code in services}
    per_counter = {name: _blank_counter(name) for name in counters}
    per_hour: dict[int, int] = defaultdict(int)
    for tk in tickets:
        per_service.setdefault(tk.issuing_service, _blank(tk.issuing_service))["issued"] += 1
        per_hour[tk.issued_at.astimezone(zone).hour] += 1
        end = per_service.setdefault(tk.service, _blank(tk.service))
        if tk.first_called_at:
            per_service[tk.issuing_service]["_wait"].append(
                (tk.first_called_at - tk.issued_at).total_seconds())
        if tk.status == "served":
            end["served"] += 1
            if tk.called_at and tk.finished_at:
                end["_service"].append((tk.finished_at - tk.called_at).total_seconds())
        elif tk.status == "no_show":
            end["skipped"] += 1
        elif tk.status == "cancelled":      # the visitor left the queue from their phone
            end["cancelled"] += 1
        elif tk.status == "waiting":
            end["waiting"] += 1
        if tk.counter and visits is None:
            row = per_counter.setdefault(tk.counter, _blank_counter(tk.counter))
            row["called"] += 1
            if tk.status == "served":
                row["served"] += 1
                if tk.called_at and tk.finished_at:
                    row["_service"].append((tk.finished_at - tk.called_at).total_seconds())
            elif tk.status == "no_show":
                row["skipped"] += 1
            elif tk.status == "called":
                row["serving"] += 1
    for visit in visits or ():
        row = per_counter.setdefault(visit.counter, _blank_counter(visit.counter))
        row["called"] += 1
        row[visit.outcome] += 1
        if visit.outcome == "served" and visit.ended_at:
            row["_service"].append((visit.ended_at - visit.called_at).total_seconds())
    services_out = []
    for row in per_service.values():
        wait, service = row.pop("_wait"), row.pop("_service")
        services_out.append(row | {"wait_seconds": _summary(wait), "service_seconds": _summary(service)})
    counters_out = []
    for row in per_counter.values():
        service = row.pop("_service")
        counters_out.append(row | {"service_seconds": _summary(service)})
    totals = {key: sum(r[key] for r in services_out) for key in ("issued", "served", "skipped", "cancelled",
                                                                    "waiting")}
    return {"services": services_out, "counters": counters_out, "totals": totals,
            "per_hour": [{"hour": h, "issued": per_hour.get(h, 0)} for h in range(24)]}


def _blank(code: str) -> dict:
    return {"code": code, "issued": 0, "served": 0, "skipped": 0, "cancelled": 0, "waiting": 0, "_wait": [], "_service": []}


def _blank_counter(name: str) -> dict:
    return {"counter": name, "called": 0, "served": 0, "skipped": 0, "transferred": 0, "serving": 0,
            "_service": []}
