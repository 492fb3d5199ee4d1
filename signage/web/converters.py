"""URL converters. `<id:name>` is a database id: 1 to 2**31 - 1, in ASCII digits, no leading zero.

Werkzeug's `<int:...>` takes any length of digits (Unicode ones too), and an id past 2**63 makes
SQLite raise OverflowError; a URL that cannot name a row should simply not match (a 404). The
range is in the regex itself, not only in to_python: werkzeug answers 405 instead of 404 when a
path matches another method's rule by its regex, even if that rule's converter then refuses it.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


def up_to(limit: int) -> str:
    """A regex for the decimal numbers 1..limit, written without leading zeros."""
    digits = str(limit)
    parts = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []   # fewer digits
    for i, digit in enumerate(digits):          # as many digits: a smaller digit at place i
        low = 1 if i == 0 else 0
        if int(digit) > low:
            parts.append(f"{digits[:i]}[{low}-{int(digit) - 1}][0-9]{{{len(digits) - i - 1}}}")
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


class IdConverter(IntegerConverter):
    regex = up_to(MAX_ID)

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (werkzeug's name)
        super().__init__(map, min=1, max=MAX_ID)
