"""The hall-wide announcement queue: every speaker plays its zone's announcements in id order.

Ids are the server's event sequence numbers, so the order is decided by the
server, not by arrival: a late-arriving lower id is still placed before higher
ones.  Only the last `history` announcements are kept; an id older than all
kept ones is treated as already handled (ignored), never replayed.
"""

from __future__ import annotations

import bisect
import threading
import time
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Announcement:
    id: int
    text: str
    audio_url: str | None
    counter_id: int | str | None = None
    ticket: str | None = None
    created_at: float = field(default_factory=time.time)
    repeat: int = 1
    rate: float = 1.0
    zone: str | None = ""        # speaker zone (zones.py); None: every zone

    def __post_init__(self):
        if self.repeat not in (1, 2):
            raise ValueError("repeat harus 1 atau 2")
        if not isinstance(self.id, int) or self.id < 1:
            raise ValueError("id harus bilangan bulat positif")

    def to_dict(self) -> dict:
        return asdict(self)


class AnnouncementQueue:
    def __init__(self, history: int = 500):
        self.history = history
        self._lock = threading.Lock()
        self._ids: list[int] = []
        self._items: dict[int, Announcement] = {}
        self._played: dict[int, set[str]] = {}
        self._forgotten_up_to = 0

    def enqueue(self, announcement: Announcement) -> bool:
        """Add in id order; False (no-op) if this id is known or older than the kept history."""
        with self._lock:
            if announcement.id in self._items or announcement.id <= self._forgotten_up_to:
                return False
            bisect.insort(self._ids, announcement.id)
            self._items[announcement.id] = announcement
            self._played[announcement.id] = set()
            while len(self._ids) > self.history:
                oldest = self._ids.pop(0)
                del self._items[oldest]
                del self._played[oldest]
                self._forgotten_up_to = oldest
            return True

    def pending(self, after_id: int = 0) -> list[Announcement]:
        """Announcements with id > after_id, oldest first (a display passes its last played id)."""
        with self._lock:
            start = bisect.bisect_right(self._ids, after_id)
            return [self._items[i] for i in self._ids[start:]]

    def get(self, announcement_id: int) -> Announcement | None:
        with self._lock:
            return self._items.get(announcement_id)

    def mark_played(self, announcement_id: int, display_id: str) -> bool:
        with self._lock:
            played = self._played.get(announcement_id)
            if played is None:
                return False
            played.add(display_id)
            return True

    def played_by(self, announcement_id: int) -> set[str]:
        with self._lock:
            return set(self._played.get(announcement_id, ()))

    @property
    def last_id(self) -> int:
        with self._lock:
            return self._ids[-1] if self._ids else self._forgotten_up_to

    def __len__(self) -> int:
        with self._lock:
            return len(self._ids)
