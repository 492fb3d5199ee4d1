"""The paper ticket, byte for byte, through python-escpos's Dummy printer.

The golden files under tests/printing/golden/ are what a printer gets for two fixed slips;
`SIGNAGE_REGOLD=1` writes them anew after a deliberate layout change (review the diff of the
structural checks below, which hold whatever the golden files say)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from PIL import Image

from signage.printing.slip import COLUMNS, DOTS, Slip, render, trial_page

GOLDEN = Path(__file__).parent / "golden"
INIT, CUT = b"\x1b@", b"\x1dV\x00"
FULL = Slip(hall="Mal Pelayanan Publik Kota Kupang", service="Dinas Kependudukan dan Catatan Sipil Kota Kupang",
            number="K012", issued="Senin, 30 November 2026, 10.24 WITA", priority=True, ahead=3,
            estimate="sekitar 35–50 menit", qr="http://10.0.0.2:8080/t/abc123",
            footer="Terima kasih.\nPengaduan: 0812-3456-7890")
PLAIN = Slip(hall="MPP Kota Kupang", service="KPP Pratama Kupang", number="B001",
             issued="Senin, 30 November 2026, 08.01 WITA", ahead=0)


def golden(name: str, data: bytes) -> bytes:
    path = GOLDEN / name
    if os.environ.get("SIGNAGE_REGOLD") or not path.exists():
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(data)
    return path.read_bytes()


@pytest.mark.parametrize("slip, paper, name", [(FULL, 80, "full-80.bin"), (FULL, 58, "full-58.bin"),
                                               (PLAIN, 80, "plain-80.bin"), (PLAIN, 58, "plain-58.bin")])
def test_the_slip_is_byte_for_byte_what_it_was(slip, paper, name):
    data = render(slip, paper)
    assert data == golden(name, data)
    assert render(slip, paper) == data                  # deterministic: a retry sends the same


def test_the_slip_says_everything_in_order():
    data = render(FULL, 80)
    assert data.startswith(INIT) and data.endswith(CUT)
    text = data.decode("latin-1")
    order = ["Mal Pelayanan Publik Kota Kupang", "Dinas Kependudukan dan Catatan Sipil Kota Kupang",
             "Nomor antrian Anda", "K012", " PRIORITAS ", "Menunggu di depan Anda: 3 orang",
             "Perkiraan dipanggil: sekitar 35-50 menit", "Diambil: Senin, 30 November 2026, 10.24 WITA",
             "Terima kasih.", "Pengaduan: 0812-3456-7890"]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    # The number very large: GS ! with 7x width and height on 80 mm (0x66), right before it.
    assert b"\x1d!\x66" in data[:data.index(b"K012")][-40:]
    # Priority white on black (GS B 1), and back to normal after.
    at = data.index(b" PRIORITAS ")
    assert b"\x1dB\x01" in data[at - 40:at] and b"\x1dB\x00" in data[at:]
    # The QR code is an image (GS v 0), so printers without native QR print it too.
    assert b"\x1dv0" in data


def test_58_mm_keeps_to_its_32_columns_and_384_dots():
    data = render(FULL, 58)
    assert b"\x1d!\x44" in data          # the number at 5x on the narrow roll: 4 characters fit 384 dots
    for width_bytes in re.findall(rb"\x1dv0\x00(..)", data):
        assert int.from_bytes(width_bytes, "little") * 8 <= DOTS[58]
    text = data.split(b"\x1dv0")[0].decode("latin-1")        # the text before the QR image
    lines = [re.sub(r"[\x1b\x1d]..", "", line.replace("\x1b@", "")) for line in text.split("\n")]
    assert "Diambil: Senin, 30 November" in lines and "2026, 10.24 WITA" in lines   # wrapped at a space
    assert max(len(line) for line in lines) <= COLUMNS[58]


def test_a_plain_ticket_has_no_priority_estimate_or_qr():
    data = render(PLAIN, 80)
    assert b"PRIORITAS" not in data and b"Perkiraan" not in data and b"\x1dv0" not in data
    assert b"Menunggu di depan Anda: 0 orang" in data


def test_text_is_folded_to_what_every_printer_has():
    data = render(Slip(hall="Café “Kupang” – MPP", service="Layanan ÷ 東京", number="A001", issued="x"), 80)
    assert b"Cafe \"Kupang\" - MPP" in data
    assert b"Layanan ? ??" in data
    assert all(b < 0x80 for b in data.split(b"\x1dv0")[0] if b >= 0x20)


def test_the_halls_logo_is_printed_centred_and_shrunk(tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (900, 300), (10, 60, 120, 255)).save(logo)
    data = render(Slip(hall="MPP", service="A", number="A001", issued="x", logo=logo), 80)
    header = re.search(rb"\x1dv0\x00(..)(..)", data)
    width, height = int.from_bytes(header.group(1), "little") * 8, int.from_bytes(header.group(2), "little")
    assert width == DOTS[80]             # centred: padded to the roll's full width
    assert height <= 120
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    assert b"\x1dv0" not in render(Slip(hall="MPP", service="A", number="A001", issued="x", logo=broken), 80)


def test_the_test_page_names_kiosk_paper_and_columns():
    data = trial_page("MPP Kota Kupang", "Kios Lobi", 58, "Senin, 30 November 2026, 08.00 WITA")
    assert b"UJI CETAK" in data and b"Kios: Kios Lobi" in data and b"Kertas 58 mm, 32 kolom" in data
    assert b"12345678901234567890123456789012\n" in data and data.endswith(CUT)


def test_the_screens_qr_is_an_svg_of_the_link():
    import base64
    from signage.printing.qr import data_uri
    uri = data_uri("http://10.0.0.2:8080/t/abc123")
    assert uri.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg[:200]
    assert data_uri("") is None and data_uri("x" * 301) is None
