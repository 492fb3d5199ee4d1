"""AudioCache: made once, bounded in size, atomic files."""

import os
import threading
import time

import pytest

from signage.speech.cache import RESCAN_PUTS, AudioCache, cache_key
from signage.speech.engines import FallbackEngine, UnsupportedText


def test_same_text_is_made_once(tmp_path, counting_engine):
    engine = counting_engine()
    cache = AudioCache(tmp_path)
    first = cache.get_or_make("nomor satu", engine)
    second = cache.get_or_make("nomor satu", engine)
    other = cache.get_or_make("nomor dua", engine)
    assert first == second != other
    assert engine.calls == ["nomor satu", "nomor dua"]
    assert first.read_bytes()[:4] == b"RIFF"


def test_concurrent_requests_make_once(tmp_path, counting_engine):
    engine = counting_engine(delay_s=0.2)
    cache = AudioCache(tmp_path)
    paths = []
    barrier = threading.Barrier(8)

    def call():
        barrier.wait()
        paths.append(cache.get_or_make("sama", engine))

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(engine.calls) == 1
    assert len(set(paths)) == 1 and len(paths) == 8


def test_different_keys_do_not_wait_for_each_other(tmp_path, counting_engine):
    engine = counting_engine(delay_s=0.3)
    cache = AudioCache(tmp_path)
    texts = [f"kalimat {i}" for i in range(4)]
    started = time.monotonic()
    threads = [threading.Thread(target=cache.get_or_make, args=(t, engine)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert time.monotonic() - started < 0.3 * 4 * 0.75  # not serialised
    assert sorted(engine.calls) == texts


def test_key_depends_on_engine_voice_text_and_format(tmp_path, counting_engine):
    cache = AudioCache(tmp_path)
    a, b = counting_engine("a"), counting_engine("b")
    assert cache.get_or_make("halo", a) != cache.get_or_make("halo", b)
    assert cache.get_or_make("halo", a, "wav+chime") != cache.get_or_make("halo", a, "wav")
    assert cache_key(("a b", "c")) != cache_key(("a", "b c"))


def test_finish_is_applied_before_storing(tmp_path, counting_engine):
    cache = AudioCache(tmp_path)
    path = cache.get_or_make("halo", counting_engine(), "marked", finish=lambda data: data + b"END")
    assert path.read_bytes().endswith(b"END")


def test_size_bound_evicts_least_recently_used(tmp_path, counting_engine):
    engine = counting_engine(seconds=0.5)  # ~22 kB per file
    size = len(engine.synthesize("x").data)
    cache = AudioCache(tmp_path, max_bytes=int(size * 3.5))
    paths = {}
    for i, text in enumerate(["satu", "dua", "tiga"]):
        paths[text] = cache.get_or_make(text, engine)
        os.utime(paths[text], (1000 + i, 1000 + i))  # deterministic ages
    assert cache.get_or_make("satu", engine) == paths["satu"]  # a hit makes "satu" the newest
    paths["empat"] = cache.get_or_make("empat", engine)
    paths["lima"] = cache.get_or_make("lima", engine)
    assert cache.total_bytes() <= size * 3.5
    assert not paths["dua"].exists() and not paths["tiga"].exists()  # the oldest went first
    assert paths["satu"].exists() and paths["empat"].exists() and paths["lima"].exists()
    calls_before = len(engine.calls)
    cache.get_or_make("dua", engine)  # evicted: made again
    assert len(engine.calls) == calls_before + 1


def test_failed_write_leaves_no_partial_file(tmp_path, counting_engine, monkeypatch):
    cache = AudioCache(tmp_path)

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        cache.get_or_make("halo", counting_engine())
    assert list(tmp_path.iterdir()) == []


def test_fallback_output_is_not_stored_under_the_preferred_engine(tmp_path, counting_engine):
    """Once the preferred engine can make a text, an older fallback clip must not shadow it."""

    class Library:
        name, voice, settings = "gtts", "id", ""

        def __init__(self):
            self.known = set()

        def covers(self, text):
            return text in self.known

        def synthesize(self, text):
            if text not in self.known:
                raise UnsupportedText(text)
            return counting_engine("gtts").synthesize(text)

    library, espeak = Library(), counting_engine("espeak")
    chain = FallbackEngine([library, espeak])
    cache = AudioCache(tmp_path)
    before = cache.fetch("halo", chain)
    assert before.engine == "espeak" and not before.hit
    assert cache.fetch("halo", chain).hit
    library.known.add("halo")
    after = cache.fetch("halo", chain)
    assert after.engine == "gtts" and after.path != before.path
    assert espeak.calls == ["halo"]


def test_clip_from_a_failed_preferred_engine_is_not_served_once_it_recovers(tmp_path, counting_engine):
    preferred, espeak = counting_engine("gtts", fail=True), counting_engine("espeak")
    chain = FallbackEngine([preferred, espeak], retry_after_s=0)
    cache = AudioCache(tmp_path)
    assert cache.fetch("halo", chain).engine == "espeak"
    preferred.fail = False
    recovered = cache.fetch("halo", chain)
    assert recovered.engine == "gtts" and not recovered.hit
    assert cache.fetch("halo", chain).hit


def test_writes_under_the_bound_scan_the_directory_only_now_and_then(tmp_path, counting_engine, monkeypatch):
    """A hall's cache holds thousands of clips: a scan per new clip would cost the event loop
    milliseconds each call. Other processes write here too, so a scan still comes every
    RESCAN_PUTS clips, and what they wrote past the bound is evicted then."""
    engine = counting_engine(seconds=0.05)
    size = len(engine.synthesize("x").data)
    cache = AudioCache(tmp_path, max_bytes=size * 1000)
    scans = []
    scan = cache._entries
    monkeypatch.setattr(cache, "_entries", lambda: scans.append(1) or scan())
    for i in range(2 * RESCAN_PUTS):
        cache.get_or_make(f"teks {i}", engine)
    assert len(scans) == 2, "the first clip, then one scan per RESCAN_PUTS clips"
    elsewhere = tmp_path / ("f" * 32 + ".wav")     # another process's clip, over the bound
    elsewhere.write_bytes(b"\0" * size * 1000)
    os.utime(elsewhere, (1000, 1000))
    for i in range(RESCAN_PUTS):
        cache.get_or_make(f"lagi {i}", engine)
    assert not elsewhere.exists() and cache.total_bytes() <= size * 1000
