"""What text from outside may contain before it is stored or shown.

A lone surrogate ("\\ud800", legal in JSON, not in UTF-8) stored once makes every page that shows
it fail to encode; NUL and other control characters break CSV, logs and terminals. Tab and
newline are the only control characters people type.
"""
from __future__ import annotations

import re

UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def is_clean(text: str) -> bool:
    return UNSAFE.search(text) is None
