"""The rush policy: how each announcement is spoken so the voice keeps up with the counters.

Decided on the server when an announcement is queued (one source of truth: the speaker page
plays what it is told, and `benchmarks/rush_bench.py` runs this same code with real clips):

* the chime once per run of back-to-back announcements, not before each;
* a repeat (speech setting `repeat` 2) only when nothing else is waiting;
* past a backlog of `rush_short_after` waiting, the short form ("a dua belas, loket dua.");
* from `rush_fast_after` waiting, a slightly faster rate (`rush_rate`, e.g. 1.15).

"Waiting" comes from the zone's playback timeline as the server plans it: every queued
announcement starts when the one before it ends (or when it is queued, if the zone is quiet),
and lasts its clip's duration (estimated from its text until the clip is made, then exact)
times its repeats, divided by its rate. Each zone has its own timeline, so one zone's backlog
never changes how another's calls are spoken.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

RUN_GAP_S = 1.5        # quieter than this between two announcements: still one run (no chime)
PLAY_GAP_S = 0.15      # what a speaker page takes between two clips (load, start)
CHIME_S = 1.4          # the chime and the pause after it (chime.LENGTH_S + voice.CHIME_GAP_S)
SECONDS_PER_CHAR = 0.068   # espeak-ng -s 150, Indonesian; only until the real clip is known

DEFAULTS = {"rush_short_after": 2, "rush_fast_after": 1, "rush_rate": 1.15}
RATE_RANGE = (1.0, 1.5)
THRESHOLD_RANGE = (1, 50)


@dataclass(frozen=True)
class Form:
    """How one announcement is spoken."""
    chime: bool
    short: bool
    repeat: int
    rate: float
    waiting: int         # announcements ahead of it in its zone when it was queued
    starts_in: float     # planned seconds from now until it starts


def estimate_seconds(text: str, chime: bool) -> float:
    return len(text) * SECONDS_PER_CHAR + (CHIME_S if chime else 0.0)


@dataclass
class _Slot:
    id: int
    queued: float
    seconds: float       # one playing of the clip (chime included), at rate 1
    repeat: int
    rate: float
    start: float = 0.0
    end: float = 0.0


class RushPlanner:
    """Per zone, the planned timeline of what the speakers play; decides each new one's form."""

    def __init__(self, keep: int = 200):
        self.keep = keep
        self._zones: dict[str, list[_Slot]] = {}
        self._lock = threading.Lock()

    def decide(self, zone: str, now: float, settings: dict) -> Form:
        """The form for an announcement queued now in `zone` (settings: the speech settings)."""
        with self._lock:
            slots = self._zones.get(zone, [])
            waiting = sum(1 for s in slots if s.end > now)
            last_end = max((s.end for s in slots), default=None)
        quiet = waiting == 0 and (last_end is None or now - last_end >= RUN_GAP_S)
        rush = {**DEFAULTS, **settings}
        return Form(
            chime=bool(settings.get("chime", True)) and quiet,
            short=waiting >= rush["rush_short_after"],
            repeat=int(settings.get("repeat", 1)) if waiting == 0 else 1,
            rate=float(rush["rush_rate"]) if waiting >= rush["rush_fast_after"] else 1.0,
            waiting=waiting,
            starts_in=max(0.0, (last_end + PLAY_GAP_S - now) if waiting else 0.0),
        )

    def add(self, zone: str, id_: int, now: float, seconds: float, form: Form) -> None:
        """Put the announcement on the zone's timeline (seconds: estimated or known)."""
        with self._lock:
            slots = self._zones.setdefault(zone, [])
            slots.append(_Slot(id_, now, seconds, form.repeat, form.rate))
            del slots[:-self.keep]
            self._replan(slots)

    def settle(self, id_: int, seconds: float) -> None:
        """The clip is made: its real duration replaces the estimate, in every zone it is in."""
        with self._lock:
            for slots in self._zones.values():
                if any(s.id == id_ for s in slots):
                    for s in slots:
                        if s.id == id_:
                            s.seconds = seconds
                    self._replan(slots)

    def timeline(self, zone: str) -> list[dict]:
        with self._lock:
            return [{"id": s.id, "queued": s.queued, "start": s.start, "end": s.end}
                    for s in self._zones.get(zone, [])]

    @staticmethod
    def _replan(slots: list[_Slot]) -> None:
        previous_end = None
        for s in slots:
            s.start = s.queued if previous_end is None else max(s.queued, previous_end + PLAY_GAP_S)
            s.end = s.start + s.seconds * s.repeat / s.rate
            previous_end = s.end


def validate(merged: dict, fail) -> None:
    """Check the rush thresholds inside the merged speech settings (fail(message) raises)."""
    for key in ("rush_short_after", "rush_fast_after"):
        value = merged[key]
        low, high = THRESHOLD_RANGE
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            fail(f"{key}: bilangan bulat {low}–{high} (jumlah panggilan yang menunggu).")
    rate = merged["rush_rate"]
    low, high = RATE_RANGE
    if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not low <= rate <= high:
        fail(f"rush_rate: {low:g}–{high:g} (1 = kecepatan biasa, 1.15 = sedikit lebih cepat).")
    merged["rush_rate"] = round(float(rate), 2)
