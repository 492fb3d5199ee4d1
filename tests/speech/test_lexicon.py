"""Words the voice gets wrong (issue 10): acronyms spelled, "&" read "dan", and the manager's
pronunciation list, used by both engines: espeak-ng reads the spoken form, and the gTTS library
(built against the FAKE Google endpoint; Google cannot be reached here) holds its words."""
from __future__ import annotations

import pytest

from signage.speech import sentence
from signage.speech.build import build_audio
from signage.speech.engines import EspeakEngine
from signage.speech.hall_speaker import DEFAULTS, HallSpeaker, validate_settings
from signage.speech.lexicon import Lexicon, LexiconError, validate_entries
from signage.speech.library import library_phrases
from signage.speech.voice import Voice

DUKCAPIL = [{"written": "Dukcapil", "spoken": "duk capil"}]


def call(service: str = "Layanan", counter: str = "Loket 3", lexicon=None, template=None) -> str:
    return sentence.call_sentence(template or "Nomor {nomor} ke {loket}, {layanan}.", ticket="A012",
                                  counter=counter, service=service, style="whole", lexicon=lexicon)


@pytest.mark.parametrize("written, spoken", [
    ("KIA", "ka i a"), ("NIK", "en i ka"), ("KTP", "ka te pe"), ("BPJS", "be pe je es")])
def test_acronyms_are_spelled_letter_by_letter(written, spoken):
    assert call(service=f"Layanan {written}").endswith(f"layanan {spoken}.")
    assert sentence.free_text_sentence(f"Bawa {written} asli.") == f"Bawa {spoken} asli."


def test_ampersand_is_read_dan_in_names_templates_and_announcements():
    assert call(service="KIA & KK") == "Nomor a dua belas ke loket tiga, ka i a dan ka ka."
    assert "pos dan giro" in call(template="Nomor {nomor}, pos & giro, {loket}.")
    assert sentence.free_text_sentence("Pajak & retribusi di loket 2") == "Pajak dan retribusi di loket dua"


def test_a_word_that_is_not_an_acronym_is_not_spelled():
    assert call(service="Kia Motor") == "Nomor a dua belas ke loket tiga, kia motor."   # not all capitals
    assert "kiara" in call(service="KIARA")                                               # not in the list


def test_the_pronunciation_list_is_used_for_templates_counters_services_and_free_text():
    words = Lexicon(DUKCAPIL + [{"written": "Loket Prioritas", "spoken": "loket utama"},
                                {"written": "KIA", "spoken": "kartu identitas anak"}])
    assert call(service="Dinas DUKCAPIL", lexicon=words).endswith("dinas duk capil.")       # any case
    assert call(counter="Loket Prioritas", lexicon=words).startswith("Nomor a dua belas ke loket utama")
    assert "ke duk capil" in call(template="Nomor {nomor} ke dukcapil {loket}.", lexicon=words)
    # an entry wins over the built-in spelling, and only whole words are replaced
    assert call(service="KIA", lexicon=words).endswith("kartu identitas anak.")
    assert call(service="Dukcapilku", lexicon=words).endswith("dukcapilku.")
    assert sentence.free_text_sentence("Loket Dukcapil buka 13.00", words) == "Loket duk capil buka tiga belas"
    # the screen keeps the written form
    assert sentence.call_display_text("{nomor} ke {layanan}", ticket="A012", counter="x",
                                      service="Dukcapil") == "A012 ke Dukcapil"


@pytest.mark.parametrize("bad, fragment", [
    ("KIA", "daftar"),
    ([{"written": "KIA"}], "teks"),
    ([{"written": "", "spoken": "ka i a"}], "tulisan"),
    ([{"written": "KIA", "spoken": "ka 1 a"}], "ucapan"),
    ([{"written": "KIA", "spoken": "{nomor}"}], "ucapan"),
    ([{"written": "x" * 41, "spoken": "a"}], "tulisan"),
    ([{"written": "KIA", "spoken": "a"}, {"written": "kia", "spoken": "b"}], "sudah ada"),
    ([{"written": "KIA", "spoken": "a", "extra": 1}], "objek"),
    ([{"written": "A", "spoken": "a"}] * 201, "terlalu panjang"),
])
def test_bad_entries_are_refused_in_indonesian(bad, fragment):
    with pytest.raises(LexiconError) as caught:
        validate_entries(bad)
    assert fragment in str(caught.value).lower()


def test_the_list_is_a_speech_setting_checked_with_the_others():
    merged = validate_settings({"lexicon": [{"written": " Dukcapil ", "spoken": "duk  capil"}]}, {})
    assert merged["lexicon"] == DUKCAPIL
    with pytest.raises(sentence.TemplateError, match="ucapan"):
        validate_settings({"lexicon": [{"written": "KIA", "spoken": "12"}]}, {})


def test_espeak_speaks_the_spoken_form(tmp_path, monkeypatch):
    """The hall's voice (espeak-ng, real) gets the pronunciation list's spoken form."""
    heard = []
    real = EspeakEngine.synthesize

    def spy(self, text):
        heard.append(text)
        return real(self, text)
    monkeypatch.setattr(EspeakEngine, "synthesize", spy)
    settings = {"speech": {**DEFAULTS, "lexicon": DUKCAPIL, "chime": False}}
    speaker = HallSpeaker(Voice(tmp_path, chime=False), lambda: settings)
    event = speaker.enrich({"type": "announce", "seq": 1, "message": "Dukcapil & KIA buka"})
    assert event["text"] == "duk capil dan ka i a buka"
    assert heard == ["duk capil dan ka i a buka"]
    assert (tmp_path / "cache" / event["audio"].rsplit("/", 1)[1]).is_file()
    sample = speaker.sample(text="Dukcapil", lexicon=[{"written": "Dukcapil", "spoken": "dinas capil"}])
    assert sample["text"] == "dinas capil" and heard[-1] == "dinas capil"


def test_gtts_library_holds_the_spoken_words_and_calls_use_them(tmp_path, fake_google, monkeypatch):
    """`signage audio build --engine gtts` fetches the spoken form's words (fake Google), and a
    call with a listed word is then assembled from the gTTS library, not handed to espeak-ng."""
    from signage.speech import build as build_module
    words = Lexicon(DUKCAPIL)
    full = library_phrases(counters=["Loket 3"], services=["Dukcapil"], lexicon=words)
    assert "duk capil" in full and "duk" in full and "capil" in full and "dukcapil" not in full
    call_text = call(service="Dukcapil", lexicon=words)      # 'Nomor a dua belas ke loket tiga, duk capil.'
    needed = {"nomor", "ke", "a", "dua belas", "loket tiga", "loket", "tiga", "duk capil", "duk", "capil"}
    monkeypatch.setattr(build_module, "library_phrases",
                        lambda **kw: [p for p in library_phrases(**kw) if p in needed])
    fake = fake_google("ok")
    with fake.patched():
        result = build_audio("gtts", tmp_path, ["Loket 3"], progress=False, services=["Dukcapil"],
                             templates=["Nomor {nomor} ke {loket}, {layanan}."], lexicon=words)
    assert result["ok"], result
    assert "duk capil" in fake.texts and not any("dukcapil" in t for t in fake.texts)
    clip = Voice(tmp_path, engine="gtts", chime=False).render(call_text)
    assert clip.engine == "gtts"
    without = call(service="Dukcapil")                       # no list: 'dukcapil' is not in the library
    assert Voice(tmp_path, engine="gtts", chime=False).render(without).engine == "espeak"
