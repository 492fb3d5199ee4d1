"""build_audio (for `signage audio build`) against the FAKE Google endpoint.

Google is unreachable from here; the fake answers like it (see tests/fake_google.py).
The full phrase list (~1,000 clips) is cut down so the test stays fast.
"""

import time

import pytest

from signage.speech import build as build_module
from signage.speech.build import build_audio
from signage.speech.library import library_phrases
from signage.speech.voice import Voice, library_dir


@pytest.fixture
def few_phrases(monkeypatch):
    def some(**kwargs):
        phrases = library_phrases(**kwargs)
        wanted = {"nomor antrian", "silakan menuju", "loket", "a", "dua belas", "tiga", "loket tiga"}
        return [p for p in phrases if p in wanted]

    monkeypatch.setattr(build_module, "library_phrases", some)


def test_build_then_resume(tmp_path, fake_google, few_phrases):
    fake = fake_google("ok")
    with fake.patched():
        first = build_audio("gtts", tmp_path, ["Loket 3"], progress=False)
        second = build_audio("gtts", tmp_path, ["Loket 3"], progress=False)
    assert first["ok"] and first["made"] == 7 and first["failed"] == 0
    assert second["ok"] and second["made"] == 0 and second["skipped"] == 7
    assert fake.request_count == 7
    assert len(list(library_dir(tmp_path, "gtts").glob("*.wav"))) == 7
    clip = Voice(tmp_path, engine="gtts").render("Nomor antrian a dua belas, silakan menuju loket tiga.")
    assert clip.engine == "gtts"


def test_build_without_google_stops_early(tmp_path, fake_google, few_phrases):
    fake = fake_google("hang")
    with fake.patched():
        started = time.monotonic()
        result = build_audio("gtts", tmp_path, ["Loket 3"], progress=False, timeout=0.3)
    assert time.monotonic() - started < 5
    assert not result["ok"] and result["aborted"] and result["failed"] == 5 and result["made"] == 0
    assert "jalankan lagi" in result["message"]


def test_espeak_needs_no_library(tmp_path):
    result = build_audio("espeak", tmp_path, ["Loket 1"], progress=False)
    assert result["ok"] and result["made"] == 0
    assert not (tmp_path / "library").exists()


def test_unknown_engine(tmp_path):
    with pytest.raises(ValueError):
        build_audio("polly", tmp_path, [], progress=False)
