"""URL converters. `<id:name>` is a database id: 1 to 2**31 - 1, written in ASCII digits.

Werkzeug's `<int:...>` takes any length of digits (Unicode ones too), and an id past 2**63 makes
SQLite raise OverflowError; a URL that cannot name a row should simply not match (a 404).
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    regex = r"[0-9]{1,10}"

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (werkzeug's name)
        super().__init__(map, min=1, max=MAX_ID)
