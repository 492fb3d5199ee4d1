"""Token buckets: how often one client may do a thing. Plain Python, no clock of its own."""
from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rate:
    burst: float          # how many at once
    per_second: float     # refilled this fast


@dataclass
class TokenBucket:
    rate: Rate
    tokens: float = field(default=-1.0)
    updated: float = field(default_factory=time.monotonic)

    def __post_init__(self):
        if self.tokens < 0:
            self.tokens = self.rate.burst

    def take(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        self.tokens = min(self.rate.burst, self.tokens + (now - self.updated) * self.rate.per_second)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class BucketTable:
    """One bucket per key (e.g. per address), the least recently used dropped past `size`, so a
    client that keeps inventing keys cannot grow memory without bound."""

    def __init__(self, rate: Rate, size: int = 10_000):
        self.rate = rate
        self.size = size
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def take(self, key: str, now: float | None = None) -> bool:
        bucket = self._buckets.pop(key, None) or TokenBucket(self.rate)
        self._buckets[key] = bucket
        while len(self._buckets) > self.size:
            self._buckets.popitem(last=False)
        return bucket.take(now)
