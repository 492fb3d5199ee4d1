"""What the voice engine is asked to read: numbers, letters, counters, templates."""

import re
import string

import pytest

from signage.speech.sentence import (
    DEFAULT_TEMPLATE, LETTER_NAMES, MAX_TEMPLATE_LENGTH, TEMPLATE_FIELDS, TemplateError,
    call_display_text, call_sentence, free_text_sentence, number_words, spell_counter,
    spell_ticket, validate_template,
)

NUMBERS = [
    (0, "nol", "nol"),
    (1, "satu", "satu"),
    (10, "sepuluh", "satu nol"),
    (11, "sebelas", "satu satu"),
    (12, "dua belas", "satu dua"),
    (19, "sembilan belas", "satu sembilan"),
    (20, "dua puluh", "dua nol"),
    (21, "dua puluh satu", "dua satu"),
    (99, "sembilan puluh sembilan", "sembilan sembilan"),
    (100, "seratus", "satu nol nol"),
    (101, "seratus satu", "satu nol satu"),
    (110, "seratus sepuluh", "satu satu nol"),
    (111, "seratus sebelas", "satu satu satu"),
    (115, "seratus lima belas", "satu satu lima"),
    (200, "dua ratus", "dua nol nol"),
    (999, "sembilan ratus sembilan puluh sembilan", "sembilan sembilan sembilan"),
]


@pytest.mark.parametrize("n, whole, digits", NUMBERS)
def test_number_words_whole(n, whole, digits):
    assert number_words(n, "whole") == whole


@pytest.mark.parametrize("n, whole, digits", NUMBERS)
def test_number_words_digits(n, whole, digits):
    assert number_words(n, "digits") == digits


def test_number_words_rejects_unknown_style_and_negatives():
    with pytest.raises(ValueError):
        number_words(5, "roman")
    with pytest.raises(ValueError):
        number_words(-1, "whole")


EXPECTED_LETTERS = {
    "A": "a", "B": "be", "C": "ce", "D": "de", "E": "e", "F": "ef", "G": "ge", "H": "ha", "I": "i",
    "J": "je", "K": "ka", "L": "el", "M": "em", "N": "en", "O": "o", "P": "pe", "Q": "ki", "R": "er",
    "S": "es", "T": "te", "U": "u", "V": "fe", "W": "we", "X": "eks", "Y": "ye", "Z": "zet",
}


def test_letter_table_is_complete():
    assert set(LETTER_NAMES) == set(string.ascii_lowercase)


@pytest.mark.parametrize("letter", string.ascii_uppercase)
def test_every_letter_in_a_ticket(letter):
    name = EXPECTED_LETTERS[letter]
    assert spell_ticket(f"{letter}012", "whole") == f"{name} dua belas"
    assert spell_ticket(f"{letter}012", "digits") == f"{name} nol satu dua"


TICKETS = [
    ("A012", "whole", "a dua belas"),
    ("A012", "digits", "a nol satu dua"),
    ("B123", "whole", "be seratus dua puluh tiga"),
    ("B123", "digits", "be satu dua tiga"),
    ("C001", "whole", "ce satu"),
    ("C001", "digits", "ce nol nol satu"),
    ("D000", "whole", "de nol"),
    ("Q100", "whole", "ki seratus"),
    ("AB7", "whole", "a be tujuh"),
    ("AB007", "digits", "a be nol nol tujuh"),
    ("x-015", "whole", "eks lima belas"),
    ("Z999", "whole", "zet sembilan ratus sembilan puluh sembilan"),
    ("110", "whole", "seratus sepuluh"),
]


@pytest.mark.parametrize("ticket, style, spoken", TICKETS)
def test_spell_ticket(ticket, style, spoken):
    assert spell_ticket(ticket, style) == spoken


@pytest.mark.parametrize("bad", ["", "---", "   "])
def test_spell_ticket_rejects_empty(bad):
    with pytest.raises(ValueError):
        spell_ticket(bad, "whole")


COUNTERS = [
    ("Loket 3", "loket tiga"),
    ("Loket 12", "loket dua belas"),
    ("Loket 20", "loket dua puluh"),
    ("Loket A2", "loket a dua"),
    ("Loket AB", "loket a be"),
    ("3B", "tiga be"),
    ("Loket B-1", "loket be satu"),
    ("Meja #4", "meja empat"),
    ("Loket 1/2", "loket satu dua"),
    ("Loket BPJS", "loket be pe je es"),
    ("Loket SIM", "loket sim"),
    ("LOKET 5", "loket lima"),
]


@pytest.mark.parametrize("name, spoken", COUNTERS)
def test_spell_counter(name, spoken):
    assert spell_counter(name) == spoken


def test_spell_counter_digit_style():
    assert spell_counter("Loket 12", "digits") == "loket satu dua"


def test_call_sentence_default_template():
    spoken = call_sentence(DEFAULT_TEMPLATE, ticket="A012", counter="Loket 3",
                           service="BPJS Kesehatan", style="whole")
    assert spoken == "Nomor antrian a dua belas, silakan menuju loket tiga."


def test_call_sentence_digits_style_and_service():
    spoken = call_sentence("Nomor {nomor} layanan {layanan}, ke {loket} lantai 2.", ticket="B007",
                           counter="Loket A2", service="Paspor 24 Jam", style="digits")
    assert spoken == "Nomor be nol nol tujuh layanan paspor dua puluh empat jam, ke loket a dua lantai dua."


def test_call_display_text_keeps_written_form():
    shown = call_display_text(DEFAULT_TEMPLATE, ticket="A012", counter="Loket 3", service="x")
    assert shown == "Nomor antrian A012, silakan menuju Loket 3."


@pytest.mark.parametrize("ticket", ["A001", "B010", "C115", "Z999", "AB12", "Q000"])
@pytest.mark.parametrize("style", ["whole", "digits"])
def test_call_sentence_never_leaves_digits(ticket, style):
    spoken = call_sentence("Antrian {nomor} layanan {layanan} di {loket}, lantai 2 #3", ticket=ticket,
                           counter="Loket 10B", service="KTP-el 2024", style=style)
    assert not re.search(r"\d", spoken)
    assert "#" not in spoken


TEMPLATE_ERRORS = [
    ("", "kosong"),
    ("   ", "kosong"),
    ("Silakan ke {loket}", "{nomor}"),
    ("Nomor {nomer} ke {loket}", "tidak dikenal: {nomer}"),
    ("Nomor {} ke {loket}", "tidak dikenal"),
    ("Nomor {0}", "tidak dikenal"),
    ("Nomor {nomor ke loket", "tidak seimbang"),
    ("Nomor nomor} ke loket", "tidak seimbang"),
    ("Nomor {{nomor}}", "Kurung kurawal"),
    ("Nomor {nomor!r}", "format tambahan"),
    ("Nomor {nomor:>5}", "format tambahan"),
    ("{nomor} " + "x" * MAX_TEMPLATE_LENGTH, "terlalu panjang"),
]


@pytest.mark.parametrize("template, fragment", TEMPLATE_ERRORS)
def test_validate_template_errors(template, fragment):
    with pytest.raises(TemplateError) as caught:
        validate_template(template)
    assert fragment in str(caught.value)


def test_unknown_placeholder_message_lists_the_allowed_ones():
    with pytest.raises(TemplateError) as caught:
        validate_template("Nomor {nomor} ke {counter}")
    assert str(caught.value) == "Placeholder tidak dikenal: {counter}. Gunakan {nomor}, {loket}, {layanan}."


def test_validate_template_accepts_and_strips():
    assert validate_template("  Nomor {nomor}, ke {loket} untuk {layanan}.  ") == \
        "Nomor {nomor}, ke {loket} untuk {layanan}."
    assert TEMPLATE_FIELDS == {"nomor", "loket", "layanan"}
    assert validate_template(DEFAULT_TEMPLATE) == DEFAULT_TEMPLATE


def test_call_sentence_validates_template():
    with pytest.raises(TemplateError):
        call_sentence("Ke {loket}", ticket="A1", counter="Loket 1", service="", style="whole")


FREE_TEXT = [
    ("Pelayanan dibuka pukul 13.00", "Pelayanan dibuka pukul tiga belas"),
    ("Istirahat pukul 12:30", "Istirahat pukul dua belas tiga puluh"),
    ("Buka 08.00 - 15.00 WITA", "Buka delapan sampai lima belas WITA"),
    ("Mulai pukul 08.05", "Mulai pukul delapan nol lima"),
    ("Ada 25 loket", "Ada dua puluh lima loket"),
    ("Biaya Rp 50.000", "Biaya lima puluh ribu rupiah"),
    ("Kapasitas 1.500 orang", "Kapasitas seribu lima ratus orang"),
    ("Diskon 2,5%", "Diskon dua koma lima persen"),
    ("Nomor A012 ke Loket 3B", "Nomor a dua belas ke Loket tiga be"),
    ("Bawa KTP & KK", "Bawa ka te pe dan ka ka"),
    ("Hubungi 0812345", "Hubungi nol delapan satu dua tiga empat lima"),
]


@pytest.mark.parametrize("text, spoken", FREE_TEXT)
def test_free_text_sentence(text, spoken):
    result = free_text_sentence(text)
    assert result == spoken
    assert not re.search(r"\d", result)


@pytest.mark.parametrize("bad", ["", "   ", "x" * 301, "#### !!!"])
def test_free_text_rejects(bad):
    with pytest.raises(TemplateError):
        free_text_sentence(bad)


def test_free_text_limit_is_inclusive():
    assert free_text_sentence("a" * 300) == "a" * 300
