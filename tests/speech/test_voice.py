"""Voice.render: chime + speech in one cached file, offline, for both engine choices."""

import threading
import time

import pytest

from signage.speech import wav
from signage.speech.chime import chime_wav
from signage.speech.engines import EngineError, EspeakEngine, GttsEngine
from signage.speech.library import build_library, library_phrases
from signage.speech.sentence import DEFAULT_TEMPLATE, call_sentence, free_text_sentence
from signage.speech.voice import CHIME_GAP_S, Voice, library_dir

CALL = call_sentence(DEFAULT_TEMPLATE, ticket="A012", counter="Loket 3", service="", style="whole")
CHIME_S = wav.duration_s(chime_wav())


def count_calls(engine):
    calls = []
    original = engine.synthesize

    def counted(text):
        calls.append(text)
        return original(text)

    engine.synthesize = counted
    return calls


def test_espeak_render_is_one_wav_with_chime(tmp_path):
    voice = Voice(tmp_path, engine="espeak")
    started = time.monotonic()
    clip = voice.render(CALL)
    assert time.monotonic() - started < 1.0
    assert clip.engine == "espeak" and voice.active_engine == "espeak"
    assert clip.path.parent == tmp_path / "cache"
    assert clip.url == "/audio/cache/" + clip.path.name
    speech = wav.duration_s(EspeakEngine().synthesize(CALL).data)
    assert clip.duration_s == pytest.approx(CHIME_S + CHIME_GAP_S + speech, abs=0.01)
    frames = wav.standard_frames(clip.path.read_bytes())
    assert frames.startswith(wav.standard_frames(chime_wav()))


def test_without_chime_only_speech(tmp_path):
    with_chime = Voice(tmp_path / "a", chime=True).render(CALL)
    without = Voice(tmp_path / "b", chime=False).render(CALL)
    assert with_chime.duration_s - without.duration_s == pytest.approx(CHIME_S + CHIME_GAP_S, abs=0.01)


def test_second_render_is_served_from_cache(tmp_path):
    voice = Voice(tmp_path)
    calls = count_calls(voice._espeak)
    first = voice.render(CALL)
    started = time.monotonic()
    second = voice.render("  " + CALL.replace(" ", "  ") + " ")  # same text, other spacing
    assert time.monotonic() - started < 0.05
    assert second == first
    assert calls == [CALL]


def test_concurrent_renders(tmp_path):
    voice = Voice(tmp_path)
    calls = count_calls(voice._espeak)
    texts = [CALL, free_text_sentence("Loket 5 tutup"), CALL, free_text_sentence("Loket 6 tutup")] * 3
    results, errors = {}, []

    def render(i, text):
        try:
            results[i] = voice.render(text)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=render, args=(i, t)) for i, t in enumerate(texts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(calls) == sorted(set(texts))
    assert len({results[i].path for i, t in enumerate(texts) if t == CALL}) == 1


def test_gtts_without_library_speaks_with_espeak_and_never_calls_google(tmp_path, fake_google):
    fake = fake_google("ok")
    voice = Voice(tmp_path, engine="gtts")
    with fake.patched():
        clip = voice.render(CALL)
    assert clip.engine == "espeak" and voice.active_engine == "espeak"
    assert voice.requested_engine == "gtts"
    assert fake.request_count == 0


def test_gtts_library_is_used_offline(tmp_path, fake_google):
    fake = fake_google("ok")
    phrases = [p for p in library_phrases(counters=["Loket 3"])
               if p in {"nomor antrian", "silakan menuju", "a", "dua belas", "loket tiga", "loket", "tiga"}]
    with fake.patched():
        made = build_library(GttsEngine(timeout=5), library_dir(tmp_path, "gtts"), phrases, progress=False)
    assert made.made == 7
    requests_after_build = fake.request_count
    fake.stop()  # Google "goes away": calls must still speak in the gTTS voice

    voice = Voice(tmp_path, engine="gtts")
    assert voice.status()["library_clips"] == 7
    started = time.monotonic()
    clip = voice.render(CALL)
    assert time.monotonic() - started < 0.5
    assert clip.engine == "gtts" and voice.active_engine == "gtts"
    assert 2.0 < clip.duration_s < 12

    other = voice.render(free_text_sentence("Pelayanan ditutup pukul 15.00"))  # words not in the library
    assert other.engine == "espeak"
    assert fake.request_count == requests_after_build


def test_no_engine_left_raises(tmp_path):
    voice = Voice(tmp_path, engine="gtts")
    voice._espeak.binary = None
    with pytest.raises(EngineError):
        voice.render(CALL)
    assert voice.status()["espeak_installed"] is False


def test_set_engine_and_status(tmp_path):
    voice = Voice(tmp_path, engine="espeak")
    assert voice.status()["library_clips"] is None
    voice.set_engine("gtts")
    assert voice.requested_engine == "gtts"
    assert voice.status()["library_clips"] == 0
    with pytest.raises(ValueError):
        voice.set_engine("siri")
    with pytest.raises(ValueError):
        voice.render("   ")
