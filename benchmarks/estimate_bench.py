"""How honest is the estimate? Scripted days replayed through the real service with a fake clock.

    .venv/bin/python benchmarks/estimate_bench.py [--weeks 4] [--seed 1] [--json FILE]

Each scenario is one agency with three counters on the same weekday for `--weeks` weeks (so the
first day starts from the typical time, later days have the weekday's history). Visitors arrive
at random (Poisson) and counters serve them with random service times (gamma, mean 8 minutes,
coefficient of variation 0.5) through the real `HallService` (a SQLite database, every press a
real transaction), and `Visitors.estimate_for` gives the estimate the ticket page, the kiosk and
the slip would show at the moment each ticket is issued. Reported per scenario, over every
ticket that was called: the median and 90th percentile absolute error in minutes between the
estimate's centre and the actual call, and how often the actual call fell inside the shown range.

- steady: 19 visitors an hour, 08:00–15:00;
- morning rush: 45 an hour 08:00–09:30, then 12;
- lunch pause: 19 an hour; Loket 2 pauses 12:00–13:00 and Loket 3 12:30–13:30 (each after
  finishing the visitor it is serving).
"""
from __future__ import annotations

import argparse
import heapq
import json
import random
import statistics
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from signage.hall import CounterSpec, HallSpec, ServiceSpec  # noqa: E402
from signage.service import HallService  # noqa: E402
from signage.stats import percentile  # noqa: E402
from signage.store import Database  # noqa: E402
from signage.visitor import Visitors  # noqa: E402

MEAN_SERVICE_MIN = 8.0
CV = 0.5
FIRST_DAY = datetime(2026, 11, 2, 0, 0, tzinfo=timezone.utc)   # Monday 08:00 WITA
HALL = HallSpec(name="Bench", timezone="Asia/Makassar",
                hours={d: ("00:00", "24:00") for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
                services=(ServiceSpec("A", "Dukcapil"),),
                counters=tuple(CounterSpec(f"Loket {i}", ("A",)) for i in (1, 2, 3)))

SCENARIOS = {
    "steady": {"rates": [(0, 420, 19)], "pauses": {}},
    "morning rush": {"rates": [(0, 90, 45), (90, 420, 12)], "pauses": {}},
    "lunch pause": {"rates": [(0, 420, 19)], "pauses": {"Loket 2": (240, 300), "Loket 3": (270, 330)}},
}


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def arrivals(rng: random.Random, rates) -> list[float]:
    """Minutes after 08:00 at which visitors take a ticket."""
    times = []
    for start, end, per_hour in rates:
        t = start
        while True:
            t += rng.expovariate(per_hour / 60)
            if t >= end:
                break
            times.append(t)
    return times


def service_minutes(rng: random.Random) -> float:
    shape = 1 / CV ** 2
    return rng.gammavariate(shape, MEAN_SERVICE_MIN / shape)


def run_day(hall: HallService, visitors: Visitors, clock: Clock, day_start: datetime, scenario: dict,
            rng: random.Random) -> list[dict]:
    counters = {c["name"]: c["id"] for c in hall.counters()}
    busy: dict[str, bool] = {name: False for name in counters}
    paused: dict[str, bool] = {name: False for name in counters}
    queue_len = 0
    issued: dict[str, dict] = {}
    events: list[tuple[float, int, str, str]] = []   # (minute, order, kind, what)
    order = 0

    def push(minute, kind, what=""):
        nonlocal order
        order += 1
        heapq.heappush(events, (minute, order, kind, what))

    for minute in arrivals(rng, scenario["rates"]):
        push(minute, "arrive")
    for name, (start, end) in scenario["pauses"].items():
        push(start, "pause", name)
        push(end, "resume", name)
    wants_pause: set[str] = set()

    def call(name, minute):
        nonlocal queue_len
        view = hall.counter_action(counters[name], "call-next")
        queue_len -= 1
        busy[name] = True
        number = view["ticket"]["number"]
        issued[number]["called"] = minute
        push(minute + service_minutes(rng), "done", name)

    while events:
        minute, _, kind, what = heapq.heappop(events)
        clock.now = day_start + timedelta(minutes=minute)
        if kind == "arrive":
            ticket = hall.issue_ticket("A")
            queue_len += 1
            e = visitors.estimate_for(ticket["id"])
            issued[ticket["number"]] = {"issued": minute, "centre": e.centre, "low": e.low, "high": e.high,
                                        "basis": e.basis, "called": None}
            idle = [n for n in counters if not busy[n] and not paused[n]]
            if idle:
                call(idle[0], minute)
        elif kind == "done":
            if what in wants_pause:
                hall.counter_action(counters[what], "finish")
                hall.counter_action(counters[what], "pause")
                busy[what], paused[what] = False, True
                wants_pause.discard(what)
            elif queue_len:
                call(what, minute)          # call-next finishes the current visitor first
            else:
                hall.counter_action(counters[what], "finish")
                busy[what] = False
        elif kind == "pause":
            if busy[what]:
                wants_pause.add(what)       # after the visitor it is serving
            else:
                hall.counter_action(counters[what], "pause")
                paused[what] = True
        elif kind == "resume":
            wants_pause.discard(what)
            if paused[what]:
                hall.counter_action(counters[what], "resume")
                paused[what] = False
                if queue_len and not busy[what]:
                    call(what, minute)
    return [dict(v, wait=v["called"] - v["issued"]) for v in issued.values() if v["called"] is not None]


def run(name: str, weeks: int, seed: int, folder: Path) -> dict:
    rng = random.Random(f"{seed}:{name}")
    clock = Clock(FIRST_DAY)
    db = Database(f"sqlite:///{folder / (name.replace(' ', '_') + '.db')}")
    db.create_all()
    hall = HallService(db, clock=clock)
    hall.seed(HALL)
    visitors = Visitors(hall)
    results = []
    for week in range(weeks):
        results += run_day(hall, visitors, clock, FIRST_DAY + timedelta(weeks=week), SCENARIOS[name], rng)
    db.dispose()
    errors = [abs(r["centre"] - r["wait"]) for r in results]
    inside = sum(1 for r in results if r["low"] <= r["wait"] <= r["high"])
    return {"scenario": name, "tickets": len(results),
            "median_error_min": round(statistics.median(errors), 1),
            "p90_error_min": round(percentile(errors, 90), 1),
            "inside_range": round(100 * inside / len(results), 1),
            "mean_width_min": round(statistics.mean(r["high"] - r["low"] for r in results), 1),
            "median_wait_min": round(statistics.median(r["wait"] for r in results), 1),
            "by_basis": {b: sum(1 for r in results if r["basis"] == b) for b in ("today", "weekday", "typical")}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as tmp:
        for name in SCENARIOS:
            rows.append(run(name, args.weeks, args.seed, Path(tmp)))
    print("| scenario | tickets | median abs. error | p90 abs. error | actual call inside the range | "
          "mean range width | median wait | basis today/weekday/typical |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        b = r["by_basis"]
        print(f"| {r['scenario']} | {r['tickets']} | {r['median_error_min']} min | {r['p90_error_min']} min | "
              f"{r['inside_range']} % | {r['mean_width_min']} min | {r['median_wait_min']} min | "
              f"{b['today']}/{b['weekday']}/{b['typical']} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
