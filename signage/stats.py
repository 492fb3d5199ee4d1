"""How the day went: counts and waiting/service times per service, per counter, per hour.

Plain Python over ticket facts, so the figures can be checked by hand against a scripted day.
Definitions (hall time):
- issued: tickets taken at the kiosk for the service (its issuing service, even if transferred);
- served / skipped: tickets finished / dropped as no-show, under the service that ended them;
- cancelled: tickets the visitor took out of the queue on their phone (visitor.py);
- waiting: tickets still in the queue of that service;
- wait time: from issue to the ticket's first call; service time: from its last call to finish.
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


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile: an actual observed value, easy to check by hand."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _summary(values: list[float]) -> dict:
    return {"avg": round(sum(values) / len(values), 1) if values else None,
            "p90": percentile(values, 90)}


def compute(tickets: list[TicketFacts], services: list[str], counters: list[str], tz: str) -> dict:
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
        if tk.counter:
            row = per_counter.setdefault(tk.counter, _blank_counter(tk.counter))
            row["called"] += 1
            if tk.status == "served":
                row["served"] += 1
                if tk.called_at and tk.finished_at:
                    row["_service"].append((tk.finished_at - tk.called_at).total_seconds())
            elif tk.status == "no_show":
                row["skipped"] += 1
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
    return {"counter": name, "called": 0, "served": 0, "skipped": 0, "_service": []}
