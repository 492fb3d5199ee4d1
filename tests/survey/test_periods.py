"""Report periods in service days (hall time): day, month, semester, range; bad ones refused."""
from __future__ import annotations

from datetime import date

import pytest

from signage.survey.surveys import SurveyError, period_range

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize("period, on, first, last, expected", [
    ("day", "2026-03-05", None, None, (date(2026, 3, 5), date(2026, 3, 5))),
    ("month", "2024-02-10", None, None, (date(2024, 2, 1), date(2024, 2, 29))),      # leap year
    ("month", None, None, None, (date(2026, 11, 1), date(2026, 11, 30))),            # today's month
    ("semester", "2026-06-30", None, None, (date(2026, 1, 1), date(2026, 6, 30))),
    ("semester", "2026-07-01", None, None, (date(2026, 7, 1), date(2026, 12, 31))),
    ("range", None, "2026-01-01", "2026-12-31", (date(2026, 1, 1), date(2026, 12, 31))),
    (None, None, "2026-05-01", None, (date(2026, 5, 1), date(2026, 5, 1))),          # from alone: that day
    (None, None, None, None, (date(2026, 11, 1), date(2026, 11, 30))),               # default: this month
])
def test_periods(period, on, first, last, expected):
    assert period_range(period, on, first, last, TODAY) == expected


@pytest.mark.parametrize("period, on, first, last", [
    ("week", None, None, None), ("day", "2026-02-30", None, None), ("day", "2026-W48-1", None, None),
    ("day", "20261127", None, None), ("range", None, "2026-02-01", "2026-01-01"),
    ("range", None, "2024-01-01", "2026-01-01"), ("month", "0001-01-01", None, None),
    ("range", None, "2026-01-01", 5),
])
def test_bad_periods_are_refused_in_words(period, on, first, last):
    with pytest.raises(SurveyError) as refused:
        period_range(period, on, first, last, TODAY)
    assert refused.value.status == 400 and refused.value.message
