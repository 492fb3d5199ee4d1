"""The event never waits for its audio (issue 10): the clip's URL is known before the clip
(content-addressed cache), clips are made beside the events by a bounded number of workers, and
`wait_ready` (behind the /audio route) waits briefly for one being made."""
from __future__ import annotations

import threading
import time

from signage.speech.engines import EspeakEngine, FallbackEngine
from signage.speech.voice import Voice

CALL = "Nomor antrian a dua belas, silakan menuju loket tiga."


def test_the_planned_url_is_the_url_of_the_clip_made_later(tmp_path):
    voice = Voice(tmp_path)
    for chime in (True, False):
        planned = voice.plan(CALL, chime)
        assert not (tmp_path / "cache" / planned.name).exists()
        assert voice.render(CALL, chime).url == planned.url
    assert voice.plan(CALL, True).url != voice.plan(CALL, False).url
    assert Voice(tmp_path, espeak_speed=170).plan(CALL).url != voice.plan(CALL).url   # settings count


def test_render_later_answers_at_once_and_the_clip_follows(tmp_path, counting_engine):
    voice = Voice(tmp_path, workers=2)
    slow = counting_engine(delay_s=0.4)
    voice._engine = slow
    made = []
    started = time.monotonic()
    planned = voice.render_later(CALL, on_ready=made.append)
    assert time.monotonic() - started < 0.1
    assert voice.busy() == 1 and voice.render_later(CALL).url == planned.url   # not made twice
    path = voice.wait_ready(planned.name, timeout=5)
    assert path is not None and path.name == planned.name and path.is_file()
    assert 0.35 < time.monotonic() - started < 3
    deadline = time.monotonic() + 2
    while not made and time.monotonic() < deadline:
        time.sleep(0.01)
    assert made and made[0].duration_s > 0 and slow.calls == [CALL]
    assert voice.busy() == 0


def test_at_most_workers_clips_are_made_at_once(tmp_path, counting_engine):
    voice = Voice(tmp_path, workers=2, chime=False)
    running, peak, lock = [0], [0], threading.Lock()
    engine = counting_engine(delay_s=0.2)
    real = engine.synthesize

    def counted(text):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            return real(text)
        finally:
            with lock:
                running[0] -= 1
    engine.synthesize = counted
    voice._engine = engine
    names = [voice.render_later(f"panggilan nomor {i}").name for i in range(6)]
    started = time.monotonic()
    assert all(voice.wait_ready(n, timeout=5) for n in names)
    assert peak[0] == 2, peak
    assert 0.5 < time.monotonic() - started < 3        # 6 clips, 2 at a time, 0.2 s each


def test_wait_ready_gives_up_after_its_time_and_knows_no_stranger(tmp_path, counting_engine):
    voice = Voice(tmp_path, workers=1)
    voice._engine = counting_engine(delay_s=1.0)
    planned = voice.render_later(CALL)
    started = time.monotonic()
    assert voice.wait_ready(planned.name, timeout=0.2) is None
    assert time.monotonic() - started < 0.6
    assert voice.wait_ready("0" * 32 + ".wav", timeout=5) is None      # not being made: no wait
    assert time.monotonic() - started < 0.7
    assert voice.wait_ready(planned.name, timeout=5) is not None


def test_a_clip_made_by_the_fallback_engine_answers_at_the_planned_url(tmp_path, counting_engine):
    voice = Voice(tmp_path, workers=1, chime=False)
    broken = counting_engine(name="gtts", fail=True)
    voice._engine = FallbackEngine([broken, EspeakEngine()])
    planned = voice.render_later(CALL)
    assert planned.engine == "gtts"
    path = voice.wait_ready(planned.name, timeout=5)
    assert path is not None and path.name != planned.name and path.is_file()   # espeak-ng's clip
