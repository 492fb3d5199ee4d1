"""The paper ticket as ESC/POS bytes, for 58 mm and 80 mm thermal rolls (python-escpos).

Rendered once, when the ticket is issued, into python-escpos's Dummy printer; the bytes are kept
with the print job and sent unchanged to the real printer, however many tries that takes. So
what a test reads from Dummy is exactly what a printer gets.

Layout, top to bottom: hall logo, hall name, agency, "Nomor antrian Anda", the number very large,
PRIORITAS (white on black), people ahead, the estimate (when there is one), date and time in hall
time, the ticket's QR code (when the ticket has a link), the manager's footer, feed and cut.
"""
from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from escpos.capabilities import Profile
from escpos.printer import Dummy

PAPERS = (58, 80)
# Printable dots and Font A columns (12 dots a character) of common 58/80 mm printers.
DOTS = {58: 384, 80: 576}
COLUMNS = {58: 32, 80: 48}
NUMBER_SIZE = {58: 5, 80: 7}        # the number's magnification (1-8): 4 characters still fit
LOGO_MAX_HEIGHT = 120               # dots; a logo is a mark, not a poster
MAX_FOOTER = 300


@dataclass(frozen=True)
class Slip:
    hall: str
    service: str
    number: str
    issued: str                     # "Senin, 30 November 2026 10.24 WITA", already in hall time
    priority: bool = False
    ahead: int | None = None
    estimate: str | None = None     # "sekitar 35–50 menit"
    qr: str | None = None           # the ticket's link
    footer: str = ""
    logo: Path | None = None


class _PaperProfile(Profile):
    """The default ESC/POS profile with the roll's real width, so images centre correctly."""

    def __init__(self, paper: int):
        super().__init__(columns=COLUMNS[paper], features={
            "paperFullCut": True, "paperPartCut": True, "bitImageRaster": True, "qrCode": True})
        self.profile_data = {**self.profile_data,
                             "media": {"width": {"mm": paper - 10, "pixels": DOTS[paper]}}}


def render(slip: Slip, paper: int) -> bytes:
    """The ESC/POS bytes of one slip on a `paper` mm roll."""
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {PAPERS}")
    p = Dummy(profile=_PaperProfile(paper))
    columns = COLUMNS[paper]
    p.hw("INIT")
    p.set_with_default(align="center")
    logo = _logo(slip.logo, paper)
    if logo is not None:
        p.image(logo, center=True)
    p.set_with_default(align="center", bold=True)
    _lines(p, slip.hall, columns)
    p.set_with_default(align="center")
    p.textln("-" * columns)
    p.set_with_default(align="center", bold=True, double_height=True)
    _lines(p, slip.service, columns)
    p.set_with_default(align="center")
    p.textln("Nomor antrian Anda")
    p.set_with_default(align="center", bold=True, custom_size=True, width=NUMBER_SIZE[paper], height=NUMBER_SIZE[paper])
    p.textln(_plain(slip.number))
    p.set_with_default(align="center")
    if slip.priority:
        p.set_with_default(align="center", bold=True, invert=True, double_width=True, double_height=True)
        p.textln(" PRIORITAS ")
        p.set_with_default(align="center")
    p.textln("-" * columns)
    p.set_with_default(align="left")
    if slip.ahead is not None:
        _lines(p, f"Menunggu di depan Anda: {slip.ahead} orang", columns)
    if slip.estimate:
        _lines(p, f"Perkiraan dipanggil: {slip.estimate}", columns)
    _lines(p, f"Diambil: {slip.issued}", columns)
    if slip.qr:
        p.set_with_default(align="center")
        p.qr(slip.qr, size=6 if paper == 80 else 4, native=False, center=True)
        p.textln("Pindai untuk melihat antrian Anda")
    if slip.footer:
        p.set_with_default(align="center")
        p.textln("-" * columns)
        for line in slip.footer[:MAX_FOOTER].splitlines():
            _lines(p, line, columns)
    p.set_with_default(align="left")
    p.cut()
    return p.output


def trial_page(hall: str, kiosk: str, paper: int, when: str, footer: str = "") -> bytes:
    """What the console's "print a test page" sends: proves the roll, the width and the cutter."""
    p = Dummy(profile=_PaperProfile(paper))
    columns = COLUMNS[paper]
    p.hw("INIT")
    p.set_with_default(align="center", bold=True, double_height=True)
    _lines(p, "UJI CETAK", columns)
    p.set_with_default(align="center")
    _lines(p, hall, columns)
    _lines(p, f"Kios: {kiosk}", columns)
    _lines(p, f"Kertas {paper} mm, {columns} kolom", columns)
    p.textln("=" * columns)
    p.textln("".join(str(i % 10) for i in range(1, columns + 1)))
    _lines(p, when, columns)
    if footer:
        _lines(p, footer, columns)
    p.cut()
    return p.output


def _lines(p: Dummy, text: str, columns: int) -> None:
    for line in textwrap.wrap(_plain(text), columns, break_long_words=True) or [""]:
        p.textln(line)


_REPLACE = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...",
                          "×": "x", "·": "-", "\u00a0": " "})


def _plain(text: str) -> str:
    """What every printer's first code page holds: ASCII. Accents are dropped (é → e), dashes and
    quotes straightened, anything else becomes '?'. Indonesian needs nothing more."""
    out = []
    for ch in str(text).translate(_REPLACE):
        if ch.isascii():
            if ch.isprintable():
                out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
        out.append(base or "?")
    return "".join(out)


def _logo(path: Path | None, paper: int):
    """The hall's logo, shrunk to fit (at most 60 % of the roll, LOGO_MAX_HEIGHT dots), grey on white."""
    if path is None:
        return None
    try:
        from PIL import Image
        with Image.open(path) as image:
            image.load()
            picture = image.convert("RGBA")
    except (OSError, ValueError):
        return None          # a missing or unreadable logo leaves the slip without one
    white = Image.new("RGBA", picture.size, (255, 255, 255, 255))
    white.alpha_composite(picture)
    picture = white.convert("L")
    picture.thumbnail((int(DOTS[paper] * 0.6), LOGO_MAX_HEIGHT))
    return picture
