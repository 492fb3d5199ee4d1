"""The IKM arithmetic against hand-worked examples, the grade boundaries on both sides of every
threshold, and the minimum sample against the Krejcie–Morgan formula."""
from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest

from signage.survey import ikm
from signage.survey.ikm import ELEMENTS, KREJCIE_MORGAN, compute, grade, grade_of_index, minimum_sample

U = dict(zip(("U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"), ELEMENTS))


def answers(*rows: str) -> list[dict]:
    """'434 334 342' -> {persyaratan: 4, prosedur: 3, ...} per respondent (spaces ignored)."""
    return [dict(zip(ELEMENTS, (int(c) for c in row.replace(" ", "")))) for row in rows]


def test_a_hand_worked_example_of_nine_elements():
    """Four respondents, nine elements (U1..U9):

        respondent   U1 U2 U3 U4 U5 U6 U7 U8 U9
        R1            4  3  3  4  3  3  4  2  3
        R2            3  3  4  4  3  4  4  3  3
        R3            3  2  3  4  3  3  4  3  4
        R4            4  3  3  4  4  3  4  2  3
        sum          14 11 13 16 13 13 16 10 13   (total 119)
        NRR = sum/4  3.5 2.75 3.25 4 3.25 3.25 4 2.5 3.25
        weighted = NRR × 1/9: 0.389 0.306 0.361 0.444 0.361 0.361 0.444 0.278 0.361

    index = sum of weighted NRR = 119 / (4 × 9) = 119/36 = 3.30555…
    IKM = index × 25 = 2975/36 = 82.638… → 82.64, in 76.61–88.30: mutu B, kinerja Baik.
    The weakest element is U8 (penanganan pengaduan), NRR 2.5.
    """
    result = compute(answers("433 433 423", "334 434 433", "323 433 434", "433 443 423"))
    nrr = {e["code"]: e["nrr"] for e in result["elements"]}
    assert nrr == {U["U1"]: 3.5, U["U2"]: 2.75, U["U3"]: 3.25, U["U4"]: 4.0, U["U5"]: 3.25,
                   U["U6"]: 3.25, U["U7"]: 4.0, U["U8"]: 2.5, U["U9"]: 3.25}
    weighted = {e["code"]: e["weighted"] for e in result["elements"]}
    assert weighted[U["U1"]] == 0.389 and weighted[U["U8"]] == 0.278 and weighted[U["U4"]] == 0.444
    assert [e["total"] for e in result["elements"]] == [14, 11, 13, 16, 13, 13, 16, 10, 13]
    assert result["respondents"] == 4
    assert result["weight"] == 0.1111
    assert result["index"] == 3.3056          # 119/36
    assert result["ikm"] == 82.64             # 2975/36 = 82.638…
    assert (result["mutu"], result["kinerja"]) == ("B", "Baik")
    assert [e["code"] for e in result["elements"] if e["weakest"]] == [U["U8"]]


def test_an_element_that_does_not_apply_leaves_one_eighth_each():
    """The same four respondents at a free service: biaya (U4) hidden, n = 8.
    Sum without U4 = 119 − 16 = 103; index = 103 / (4 × 8) = 3.21875; IKM = 80.46875 → 80.47, B."""
    rows = answers("433 433 423", "334 434 433", "323 433 434", "433 443 423")
    result = compute(rows, [code for code in ELEMENTS if code != "biaya"])
    assert [e["code"] for e in result["elements"]] == [c for c in ELEMENTS if c != "biaya"]
    assert result["weight"] == 0.125
    assert result["index"] == 3.2188 and result["ikm"] == 80.47 and result["mutu"] == "B"


def test_no_answers_no_index():
    result = compute([])
    assert result["ikm"] is None and result["mutu"] is None and result["respondents"] == 0
    assert all(e["nrr"] is None and not e["weakest"] for e in result["elements"])


def test_all_fours_and_all_ones_are_the_ends_of_the_scale():
    assert compute(answers("444 444 444"))["ikm"] == 100.0
    assert compute(answers("111 111 111"))["ikm"] == 25.0
    assert compute(answers("111 111 111"))["mutu"] == "D"


def test_answers_outside_the_scale_or_for_unknown_elements_are_not_counted():
    result = compute([{"persyaratan": 4, "prosedur": 9, "warna": 1}], ["persyaratan", "prosedur"])
    assert result["ikm"] == 100.0 and result["elements"][1]["respondents"] == 0


@pytest.mark.parametrize("ikm_value, mutu, kinerja", [
    ("100.00", "A", "Sangat Baik"), ("88.31", "A", "Sangat Baik"), ("88.30", "B", "Baik"),
    ("76.61", "B", "Baik"), ("76.60", "C", "Kurang Baik"),
    ("65.00", "C", "Kurang Baik"), ("64.99", "D", "Tidak Baik"), ("25.00", "D", "Tidak Baik"),
    ("88.305", "A", "Sangat Baik"),   # published as 88.31 (half up): graded as published
    ("88.304", "B", "Baik"),
])
def test_grade_on_both_sides_of_each_converted_threshold(ikm_value, mutu, kinerja):
    assert (grade(ikm_value).mutu, grade(ikm_value).kinerja) == (mutu, kinerja)


@pytest.mark.parametrize("index, mutu", [
    ("4.00", "A"), ("3.5324", "A"), ("3.532", "B"), ("3.0644", "B"), ("3.064", "C"),
    ("2.60", "C"), ("2.5996", "D"), ("1.00", "D"),
])
def test_grade_on_both_sides_of_each_perception_threshold(index, mutu):
    """The regulation's perception intervals: 3.5324–4.00 A, 3.0644–3.532 B, 2.60–3.064 C, below D."""
    assert grade_of_index(index).mutu == mutu


def test_real_answers_on_both_sides_of_the_a_threshold():
    """25 respondents answering 4 everywhere except k answers of 3 (of 225): the sum is 900 − k,
    index = (900 − k) / 225. k = 105: 795/225 = 3.5333…, IKM 88.33 (A); k = 106: 794/225 =
    3.5288…, IKM 88.22 (B)."""
    def ikm_with(k: int) -> dict:
        rows = [dict.fromkeys(ELEMENTS, 4) for _ in range(25)]
        for row, code in [(r, c) for r in rows for c in ELEMENTS][:k]:
            row[code] = 3
        return compute(rows)
    assert (ikm_with(105)["ikm"], ikm_with(105)["mutu"]) == (88.33, "A")
    assert (ikm_with(106)["ikm"], ikm_with(106)["mutu"]) == (88.22, "B")
    assert Fraction(900 - 105, 225) * 25 > Fraction("88.31") > Fraction(900 - 106, 225) * 25


def test_rounding_is_half_up_not_to_even():
    assert ikm.round2(Fraction(8830, 100) + Fraction(5, 1000)) == Decimal("88.31")
    assert ikm.round2(Fraction(6499, 100) + Fraction(5, 1000)) == Decimal("65.00")


def test_minimum_sample_follows_the_krejcie_morgan_table_and_formula():
    """S = X²NP(1−P) / (d²(N−1) + X²P(1−P)), X² = 3.841, P = 0.5, d = 0.05: each row of the
    table is that formula, rounded."""
    for population, sample in KREJCIE_MORGAN:
        exact = 3.841 * population * 0.25 / (0.0025 * (population - 1) + 3.841 * 0.25)
        assert sample in (round(exact), math.ceil(exact)), population
        assert minimum_sample(population) == sample
    assert minimum_sample(0) == 0
    assert minimum_sample(7) == 7          # fewer than 10 served: ask them all
    assert minimum_sample(101) == 86       # between rows: the row above (110 → 86)
    assert minimum_sample(1500) == 306
    assert minimum_sample(5_000_000) == 384
