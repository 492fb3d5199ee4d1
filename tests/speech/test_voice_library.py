"""Voice library: building (resumable, bounded in time) and assembling sentences from clips."""

import time

import pytest

from signage.speech import wav
from signage.speech.engines import AudioClip, EngineError, EspeakEngine, UnsupportedText
from signage.speech.library import (
    PAUSE_GAP_S, WORD_GAP_S, VoiceLibrary, build_library, clip_filename, library_phrases, phrase_key,
)
from signage.speech.sentence import DEFAULT_TEMPLATE, call_sentence

CALL_PHRASES = ["nomor antrian", "silakan menuju", "loket", "a", "be", "dua belas", "tiga", "dua", "satu"]


def test_phrase_key_and_file_name():
    assert phrase_key("  Silakan   MENUJU, ") == "silakan menuju"
    assert clip_filename("Dua Belas") == "dua_belas.wav"


def test_library_phrases_cover_every_call():
    phrases = set(library_phrases(counters=["Loket 3", "Loket A2", "Meja Informasi"],
                                  templates=[DEFAULT_TEMPLATE, "Antrian {nomor} ke {loket} lantai 2"],
                                  services=["BPJS Kesehatan"]))
    for expected in ["a", "be", "zet", "nol", "sembilan belas", "seratus sepuluh",
                     "sembilan ratus sembilan puluh sembilan", "nomor antrian", "silakan menuju",
                     "loket tiga", "loket", "loket a dua", "meja informasi", "informasi", "lantai dua",
                     "be pe je es kesehatan", "kesehatan"]:
        assert expected in phrases, expected
    assert len(phrases) == len(set(phrases))
    assert all(phrase == phrase_key(phrase) for phrase in phrases)


def test_build_is_resumable(tmp_path, counting_engine):
    engine = counting_engine("gtts")
    first = build_library(engine, tmp_path, CALL_PHRASES + ["Tiga"], progress=False)
    assert (first.made, first.skipped, first.failed) == (len(CALL_PHRASES), 0, 0)
    (tmp_path / clip_filename("loket")).unlink()
    (tmp_path / clip_filename("tiga")).write_bytes(b"half a file")  # interrupted write
    second = build_library(engine, tmp_path, CALL_PHRASES, progress=False)
    assert (second.made, second.skipped, second.failed) == (2, len(CALL_PHRASES) - 2, 0)
    assert engine.calls[-2:] == ["loket", "tiga"]


def test_build_stops_after_consecutive_failures(tmp_path, counting_engine):
    engine = counting_engine("gtts", fail=True)
    result = build_library(engine, tmp_path, [f"kata{i}" for i in range(5)] + ["satu", "dua", "tiga"] * 5,
                           progress=False, max_consecutive_failures=3)
    assert result.aborted and result.failed == 3 and result.made == 0
    assert len(engine.calls) == 3
    assert list(tmp_path.glob("*.wav")) == []


def test_build_gives_each_clip_at_most_its_timeout(tmp_path, counting_engine):
    engine = counting_engine("gtts", delay_s=5)
    started = time.monotonic()
    result = build_library(engine, tmp_path, ["satu", "dua"], progress=False, timeout=0.2,
                           max_consecutive_failures=2)
    assert time.monotonic() - started < 1.5
    assert result.failed == 2 and result.aborted
    assert "0.2 detik" in result.failures[0][1]


def test_build_refuses_clips_from_another_engine(tmp_path):
    class Chain:  # e.g. make_engine("gtts") after gTTS failed: espeak answered
        name, voice = "gtts", "id"

        def synthesize(self, text):
            return AudioClip(EspeakEngine().synthesize(text).data, "espeak", "id")

    result = build_library(Chain(), tmp_path, ["satu"], progress=False)
    assert result.failed == 1 and not list(tmp_path.glob("*.wav"))


@pytest.fixture
def espeak_library(tmp_path):
    build_library(EspeakEngine(), tmp_path / "lib", CALL_PHRASES, progress=False)
    return VoiceLibrary(tmp_path / "lib", engine_name="espeak")


def test_assemble_real_clips(espeak_library):
    sentence = call_sentence(DEFAULT_TEMPLATE, ticket="A012", counter="Loket 3", service="", style="whole")
    assert espeak_library.covers(sentence)
    plan = espeak_library.plan(sentence)
    assert plan == [(["nomor antrian", "a", "dua belas"], PAUSE_GAP_S[","]),
                    (["silakan menuju", "loket", "tiga"], PAUSE_GAP_S["."])]
    clip = espeak_library.synthesize(sentence)
    assert clip.engine == "espeak"
    params, frames = wav.read_frames(clip.data)
    assert wav.is_standard(params)
    parts = sum(len(wav.standard_frames((espeak_library.directory / clip_filename(p)).read_bytes()))
                for phrases, _ in plan for p in phrases)
    gaps = 4 * len(wav.silence(WORD_GAP_S)) + len(wav.silence(PAUSE_GAP_S[","]))
    assert len(frames) == parts + gaps
    assert 1.5 < wav.duration_s(clip.data) < 10


def test_missing_words_are_reported(espeak_library):
    with pytest.raises(UnsupportedText) as caught:
        espeak_library.assemble("Nomor antrian a dua belas, silakan menuju meja informasi.")
    assert "meja, informasi" in str(caught.value)
    assert not espeak_library.covers("meja")
    assert not espeak_library.covers("")


def test_fewest_clips_cover_is_found(tmp_path, counting_engine):
    # Greedy longest-first would take "a b" and get stuck on "c d"; the library must find "a" + "b c d".
    build_library(counting_engine("x"), tmp_path, ["a b", "b c d", "a"], progress=False)
    library = VoiceLibrary(tmp_path, "x")
    assert library.plan("a b c d") == [(["a", "b c d"], 0.0)]


def test_whole_number_clip_beats_its_parts(tmp_path, counting_engine):
    build_library(counting_engine("x"), tmp_path, ["seratus", "dua puluh tiga", "seratus dua puluh tiga"],
                  progress=False)
    assert VoiceLibrary(tmp_path, "x").plan("seratus dua puluh tiga") == [(["seratus dua puluh tiga"], 0.0)]


def test_library_notices_new_clips_and_changes_its_fingerprint(tmp_path, counting_engine):
    library = VoiceLibrary(tmp_path / "lib", "gtts")
    assert library.clip_count == 0 and not library.is_ready and library.settings == "library=empty"
    build_library(counting_engine("gtts"), tmp_path / "lib", ["satu"], progress=False)
    first = library.settings
    assert library.covers("satu") and first != "library=empty"
    build_library(counting_engine("gtts"), tmp_path / "lib", ["dua"], progress=False)
    assert library.covers("satu dua") and library.settings != first


def test_broken_clip_is_an_engine_error(tmp_path, counting_engine):
    build_library(counting_engine("gtts"), tmp_path, ["satu"], progress=False)
    library = VoiceLibrary(tmp_path, "gtts")
    (tmp_path / "satu.wav").write_bytes(b"RIFF broken")
    with pytest.raises(EngineError):
        library.assemble("satu")
