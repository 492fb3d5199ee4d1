"""How long until a ticket is called: an honest range, never a promise. Plain Python.

The arithmetic, checkable by hand (`tests/test_estimate.py`):

- the *basis*, in order of preference: the service times (call to finish) of today's tickets of
  the agency (from MIN_SAMPLES on, the RECENT most recent); else those of the same weekday in the
  past weeks; else the agency's typical service time set in the console (DEFAULT_TYPICAL_MINUTES
  when nobody set one). Of the basis, the mean m and the standard deviation sd (seconds). A
  typical time alone has no spread: sd = TYPICAL_SPREAD × m.
- the *counters*: each counter that serves the agency and is not paused counts 1/k, k being the
  number of agencies it serves; c = their sum (at least 1: with none open, one is assumed, so
  there is still a figure).
- the ticket is called when `ahead` people before it have been called and a counter frees:
  centre = (ahead + 0.5) × m / c.
- the range: centre ± (Z × sd × √(ahead + 1) / c + SLACK × centre), the spread of a sum of
  ahead+1 service times over c counters, plus a share for what nobody counts (people who come
  back, a counter that stops). Low down and high up to whole FIVE minutes, high at least FIVE
  above low: "sekitar 35–50 menit".
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .messages import N_, in_language

MIN_SAMPLES = 5            # today's service times needed before they are trusted
RECENT = 30                # today's most recent ones are used (the day changes pace)
DEFAULT_TYPICAL_MINUTES = 10
TYPICAL_SPREAD = 0.5       # sd of a typical time set by hand: half of it
Z = 1.3                    # about 80 % of a normal spread
SLACK = 0.2
STEP = 5                   # minutes the range is rounded to


@dataclass(frozen=True)
class Estimate:
    low: int          # minutes
    high: int
    basis: str        # today, weekday, typical
    centre: float     # minutes, before rounding (the benchmark's point estimate)

    @property
    def text(self) -> str:
        """'kurang dari 5 menit' / 'sekitar 10–15 menit' (a message: English from the catalog)."""
        if self.high <= STEP:
            return N_("kurang dari %(minutes)s menit", minutes=self.high)
        return N_("sekitar %(low)s–%(high)s menit", low=self.low, high=self.high)

    @property
    def text_en(self) -> str:
        """The same in English, for pages that switch language themselves (kiosk, phone)."""
        return in_language(self.text, "en")

    def as_dict(self) -> dict:
        return {"min": self.low, "max": self.high, "basis": self.basis,
                "text": in_language(self.text, "id"), "text_en": self.text_en}


def mean_sd(values: list[float]) -> tuple[float, float]:
    """Mean and (population) standard deviation."""
    m = sum(values) / len(values)
    return m, math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


def basis(today: list[float], weekday: list[float], typical_minutes: float | None) -> tuple[str, float, float]:
    """(name, mean seconds, sd seconds) of the service times to trust. `today` oldest first."""
    if len(today) >= MIN_SAMPLES:
        return ("today", *mean_sd(today[-RECENT:]))
    if len(weekday) >= MIN_SAMPLES:
        return ("weekday", *mean_sd(weekday))
    m = float(typical_minutes or DEFAULT_TYPICAL_MINUTES) * 60
    return "typical", m, TYPICAL_SPREAD * m


def counter_share(counters: list[tuple[bool, int]]) -> float:
    """[(paused, agencies it serves)] of the counters serving an agency -> c (at least 1)."""
    c = sum(1 / k for paused, k in counters if not paused and k > 0)
    return c if c > 0 else 1.0


def estimate(ahead: int, counters: float, today: list[float], weekday: list[float],
             typical_minutes: float | None) -> Estimate:
    name, m, sd = basis(today, weekday, typical_minutes)
    centre = (ahead + 0.5) * m / counters
    spread = Z * sd * math.sqrt(ahead + 1) / counters + SLACK * centre
    low = max(0, math.floor((centre - spread) / 60 / STEP) * STEP)
    high = max(low + STEP, math.ceil((centre + spread) / 60 / STEP) * STEP)
    return Estimate(low=low, high=high, basis=name, centre=round(centre / 60, 1))
