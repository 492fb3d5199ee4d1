"""Content-addressed audio files on disk, bounded in size (least recently used go first)."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

KeyParts = Sequence[str]

_LOCK_STRIPES = 64
RESCAN_PUTS = 100


@dataclass(frozen=True)
class CacheResult:
    path: Path
    engine: str  # engine that made the audio
    hit: bool


def cache_key(key_parts: KeyParts) -> str:
    # The separator cannot appear in the parts' UTF-8, so ("a b", "c") != ("a", "b c").
    joined = b"\x00".join(str(part).encode("utf-8") for part in key_parts)
    return hashlib.sha256(joined).hexdigest()[:32]


def engine_key_parts(engine, text: str, fmt: str) -> tuple[str, ...]:
    return (engine.name, engine.voice, getattr(engine, "settings", ""), text, fmt)


class AudioCache:
    def __init__(self, directory: Path, max_bytes: int = 200 * 1024 * 1024):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.max_bytes = int(max_bytes)
        # Striped locks: a bounded set, yet two different keys rarely wait on each other.
        self._key_locks = [threading.Lock() for _ in range(_LOCK_STRIPES)]
        self._evict_lock = threading.Lock()
        # What the last scan found, and what was written since: the directory (thousands of clips
        # once a hall has run a while) is scanned only when that may pass max_bytes, or every
        # RESCAN_PUTS writes (other processes of the hall write here too), not on every clip.
        self._scanned_bytes: int | None = None
        self._written_bytes = 0
        self._puts = 0

    def _lock_for(self, key: str) -> threading.Lock:
        return self._key_locks[int(key[:8], 16) % _LOCK_STRIPES]

    def _find(self, key: str) -> Path | None:
        for path in self.directory.glob(key + ".*"):
            if not path.name.startswith("."):
                return path
        return None

    def get(self, key_parts: KeyParts) -> Path | None:
        path = self._find(cache_key(key_parts))
        if path is None:
            return None
        try:
            os.utime(path)  # mark as recently used for eviction
        except FileNotFoundError:  # evicted meanwhile
            return None
        return path

    def put(self, key_parts: KeyParts, data: bytes, ext: str) -> Path:
        path = self.directory / f"{cache_key(key_parts)}.{ext}"
        fd, tmp_name = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix="." + ext)
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(data)
            os.chmod(tmp_name, 0o644)
            os.replace(tmp_name, path)  # readers see the old file or the whole new one
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        with self._evict_lock:
            self._written_bytes += len(data)
            self._puts += 1
            due = (self._scanned_bytes is None or self._puts >= RESCAN_PUTS
                   or self._scanned_bytes + self._written_bytes > self.max_bytes)
        if due:
            self.evict(keep=path)
        return path

    def fetch(self, text: str, engine, fmt: str = "wav",
              finish: Callable[[bytes], bytes] | None = None) -> CacheResult:
        """The cached audio for `text`, made by `engine` at most once.

        For a FallbackEngine the key is that of the engine that would make the
        text now, and a fallback's output is stored under the fallback's key,
        so a clip the preferred engine could make later is not shadowed by it.
        `finish` (e.g. prepend the chime) is applied before storing; `fmt`
        must name what it does so different finishes get different keys.
        """
        planned = engine.engine_for(text) if hasattr(engine, "engine_for") else engine
        parts = engine_key_parts(planned, text, fmt)
        key = cache_key(parts)
        path = self.get(parts)
        if path:
            return CacheResult(path, planned.name, True)
        with self._lock_for(key):
            path = self.get(parts)
            if path:
                return CacheResult(path, planned.name, True)
            clip = engine.synthesize(text)
            data = finish(clip.data) if finish else clip.data
            maker = planned
            if clip.engine != planned.name:
                maker = next((e for e in getattr(engine, "engines", []) if e.name == clip.engine), planned)
            stored = self.put(engine_key_parts(maker, text, fmt), data, clip.ext)
            return CacheResult(stored, clip.engine, False)

    def get_or_make(self, text: str, engine, fmt: str = "wav",
                    finish: Callable[[bytes], bytes] | None = None) -> Path:
        return self.fetch(text, engine, fmt, finish).path

    def total_bytes(self) -> int:
        return sum(size for _, size, _ in self._entries())

    def _entries(self) -> list[tuple[Path, int, float]]:
        entries = []
        for entry in os.scandir(self.directory):
            if entry.name.startswith(".") or not entry.is_file():
                continue
            try:
                stat = entry.stat()
            except FileNotFoundError:
                continue
            entries.append((Path(entry.path), stat.st_size, stat.st_mtime))
        return entries

    def evict(self, keep: Path | None = None) -> int:
        """Delete least recently used files until under max_bytes; returns files removed."""
        with self._evict_lock:
            entries = sorted(self._entries(), key=lambda e: e[2])
            total = sum(size for _, size, _ in entries)
            removed = 0
            for path, size, _ in entries:
                if total <= self.max_bytes:
                    break
                if keep is not None and path == keep:
                    continue
                path.unlink(missing_ok=True)
                total -= size
                removed += 1
            self._scanned_bytes, self._written_bytes, self._puts = total, 0, 0
            return removed
