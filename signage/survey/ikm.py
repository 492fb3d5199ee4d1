"""The Indeks Kepuasan Masyarakat (IKM) as PermenPANRB No. 14 Tahun 2017 computes it.

Plain Python over answers 1–4, in exact fractions, so every figure can be checked by hand:

- NRR per element (nilai rata-rata unsur) = sum of the answers to it / how many answered it;
- weighted NRR (NRR tertimbang) = NRR × 1/n, n = the elements that apply (1/9 for all nine; a
  hidden element, e.g. biaya for a free service, leaves 1/8);
- index (nilai indeks) = sum of the weighted NRRs (1.00–4.00);
- IKM (nilai konversi) = index × 25 (25.00–100.00), rounded half up to two decimals.

Mutu and kinerja come from the regulation's intervals:

    perception (index)   converted (IKM)    mutu  kinerja
    1.00   – 2.5996      25.00 – 64.99      D     tidak baik
    2.60   – 3.064       65.00 – 76.60      C     kurang baik
    3.0644 – 3.532       76.61 – 88.30      B     baik
    3.5324 – 4.00        88.31 – 100.00     A     sangat baik

The two columns are the same intervals (3.5324 × 25 = 88.31, 3.532 × 25 = 88.30, ...), but the
regulation leaves gaps between them (an index of 3.5322 is in neither B nor A). The grade is read
from the published IKM, rounded to two decimals, against the lower bound of each converted
interval: the grade always goes with the figure people see (88.31 is A, 88.30 is B).

Many published worked examples round the weight 1/9 to 0.111 (or 0.11); this module uses the
exact 1/n, which is what the regulation's formula says (bobot = jumlah bobot / jumlah unsur).
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ..messages import NC_, in_language

ELEMENTS = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku",
            "pengaduan", "sarana")
SCORES = (1, 2, 3, 4)

# (lowest IKM of the interval, mutu, kinerja in Indonesian, kinerja in English), best first.
GRADES = (   # kinerja: English from the catalog (README "Languages")
    (Decimal("88.31"), "A", NC_("IKM kinerja", "Sangat Baik")),
    (Decimal("76.61"), "B", NC_("IKM kinerja", "Baik")),
    (Decimal("65.00"), "C", NC_("IKM kinerja", "Kurang Baik")),
    (Decimal("25.00"), "D", NC_("IKM kinerja", "Tidak Baik")),
)

# Krejcie & Morgan (1970), "Determining sample size for research activities", the table the
# regulation's annex uses for the number of respondents: population N -> sample S (95 %
# confidence, 5 % margin, P = 0.5). A population between two rows takes the row above it.
KREJCIE_MORGAN = (
    (10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40), (50, 44),
    (55, 48), (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70), (90, 73), (95, 76),
    (100, 80), (110, 86), (120, 92), (130, 97), (140, 103), (150, 108), (160, 113), (170, 118),
    (180, 123), (190, 127), (200, 132), (210, 136), (220, 140), (230, 144), (240, 148), (250, 152),
    (260, 155), (270, 159), (280, 162), (290, 165), (300, 169), (320, 175), (340, 181), (360, 186),
    (380, 191), (400, 196), (420, 201), (440, 205), (460, 210), (480, 214), (500, 217), (550, 226),
    (600, 234), (650, 242), (700, 248), (750, 254), (800, 260), (850, 265), (900, 269), (950, 274),
    (1000, 278), (1100, 285), (1200, 291), (1300, 297), (1400, 302), (1500, 306), (1600, 310),
    (1700, 313), (1800, 317), (1900, 320), (2000, 322), (2200, 327), (2400, 331), (2600, 335),
    (2800, 338), (3000, 341), (3500, 346), (4000, 351), (4500, 354), (5000, 357), (6000, 361),
    (7000, 364), (8000, 367), (9000, 368), (10000, 370), (15000, 375), (20000, 377), (30000, 379),
    (40000, 380), (50000, 381), (75000, 382), (1000000, 384),
)
_POPULATIONS = [n for n, _ in KREJCIE_MORGAN]


def minimum_sample(population: int) -> int:
    """Respondents the table asks for when `population` people were served (0 for nobody)."""
    if population <= 0:
        return 0
    if population <= KREJCIE_MORGAN[0][0]:
        return population           # below the first row: ask everyone
    index = bisect_left(_POPULATIONS, population)
    return KREJCIE_MORGAN[min(index, len(KREJCIE_MORGAN) - 1)][1]


@dataclass(frozen=True)
class Grade:
    mutu: str
    kinerja: str
    kinerja_en: str


def round2(value: Fraction) -> Decimal:
    """Half up to two decimals, as people round (Python's round() rounds half to even)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)


def _rounded(value: Fraction, places: int) -> float:
    step = Decimal(1).scaleb(-places)
    return float((Decimal(value.numerator) / Decimal(value.denominator)).quantize(step, rounding=ROUND_HALF_UP))


def grade(ikm: Decimal | float | str) -> Grade:
    """Mutu and kinerja of a published IKM (two decimals)."""
    value = Decimal(str(ikm)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    _, mutu, kinerja = next((g for g in GRADES if value >= g[0]), GRADES[-1])
    return Grade(mutu, in_language(kinerja, "id"), in_language(kinerja, "en"))


def grade_of_index(index: Fraction | Decimal | str) -> Grade:
    """Mutu and kinerja of a perception index (1.00–4.00): its IKM is index × 25."""
    return grade(round2(Fraction(str(index)) * 25))


def compute(responses: Iterable[Mapping[str, int]], applies: Iterable[str] = ELEMENTS) -> dict:
    """The IKM of a set of responses ({element: 1..4}) over the elements that apply.

    An element that applies but nobody answered (e.g. shown only after these responses were
    given) is left out of n: there is no average to weigh. With no answers at all, the index,
    IKM and grade are None.
    """
    applies = [code for code in ELEMENTS if code in set(applies)]
    totals = {code: [0, 0] for code in applies}       # sum, count
    respondents = 0
    for answers in responses:
        respondents += 1
        for code, value in answers.items():
            if code in totals and value in SCORES:
                totals[code][0] += value
                totals[code][1] += 1
    answered = [code for code in applies if totals[code][1]]
    n = len(answered)
    nrr = {code: Fraction(totals[code][0], totals[code][1]) for code in answered}
    weighted = {code: nrr[code] / n for code in answered}
    weakest = min(nrr.values()) if nrr else None
    elements = [{
        "code": code, "respondents": totals[code][1], "total": totals[code][0],
        "nrr": _rounded(nrr[code], 3) if code in nrr else None,
        "weighted": _rounded(weighted[code], 3) if code in weighted else None,
        "weakest": code in nrr and nrr[code] == weakest,
    } for code in applies]
    if not n:
        return {"respondents": respondents, "elements": elements, "weight": None, "index": None,
                "ikm": None, "mutu": None, "kinerja": None, "kinerja_en": None}
    index = sum(weighted.values(), Fraction(0))
    ikm = round2(index * 25)
    g = grade(ikm)
    return {"respondents": respondents, "elements": elements, "weight": _rounded(Fraction(1, n), 4),
            "index": _rounded(index, 4), "ikm": float(ikm), "mutu": g.mutu, "kinerja": g.kinerja,
            "kinerja_en": g.kinerja_en}
