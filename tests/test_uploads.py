"""Uploads are accepted only when they decode: images through Pillow, MP4 and WebM by their structure."""
from __future__ import annotations

import io
import sqlite3
import struct
import tracemalloc
import zlib

import pytest
import requests
from PIL import Image

from signage.media import UploadError, save_upload


# ---- building files ------------------------------------------------------------------------
def image(fmt: str, size=(48, 32), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 60, 20)).save(out, fmt, **save)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header (checksum correct) claims the given size, with a few bytes of pixels."""
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + png_chunk(b"IEND", b""))


def box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


FTYP = box(b"ftyp", b"isom" + struct.pack(">I", 0x200) + b"isomiso2avc1mp41")
MOOV = box(b"moov", box(b"mvhd", bytes(100)) + box(b"trak", box(b"tkhd", bytes(84))))
MDAT = box(b"mdat", b"\x00\x00\x00\x10frame-data-here!")


def ebml(element_id: int, payload: bytes, unknown_size: bool = False) -> bytes:
    id_bytes = element_id.to_bytes((element_id.bit_length() + 7) // 8, "big")
    if unknown_size:
        return id_bytes + b"\x01\xff\xff\xff\xff\xff\xff\xff" + payload
    assert len(payload) < 0x3FFF
    return id_bytes + struct.pack(">H", 0x4000 | len(payload)) + payload


def webm(doctype=b"webm", segment_unknown=False, cluster_unknown=False) -> bytes:
    header = ebml(0x1A45DFA3, ebml(0x4286, b"\x01") + ebml(0x4282, doctype) + ebml(0x4287, b"\x04"))
    info = ebml(0x1549A966, ebml(0x2AD7B1, struct.pack(">I", 1_000_000)))
    tracks = ebml(0x1654AE6B, ebml(0xAE, ebml(0xD7, b"\x01") + ebml(0x86, b"V_VP8")))
    cluster = ebml(0x1F43B675, ebml(0xE7, b"\x00") + ebml(0xA3, b"\x81\x00\x00\x80frame"),
                   unknown_size=cluster_unknown)
    return header + ebml(0x18538067, info + tracks + cluster, unknown_size=segment_unknown)


# ---- helpers -------------------------------------------------------------------------------
@pytest.fixture
def media(tmp_path):
    return tmp_path / "media"


def accepted(data: bytes, media, **kwargs) -> tuple[str, str]:
    name, kind, size = save_upload(io.BytesIO(data), media, **kwargs)
    assert size == len(data)
    assert sorted(p.name for p in media.iterdir()) == [name]
    assert (media / name).read_bytes() == data
    return name, kind


def refused(data: bytes, media, **kwargs) -> str:
    with pytest.raises(UploadError) as caught:
        save_upload(io.BytesIO(data), media, **kwargs)
    assert not media.exists() or list(media.iterdir()) == [], "a refused upload left a file behind"
    return str(caught.value)


# ---- images ---------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt, ext", [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp"), ("GIF", "gif")])
def test_real_images_are_stored_under_their_decoded_format(media, fmt, ext):
    name, kind = accepted(image(fmt), media)
    assert kind == "image" and name.endswith("." + ext) and len(name) == 24 + 1 + len(ext)
    with Image.open(media / name) as stored:
        assert stored.format == fmt and stored.size == (48, 32)


def test_a_multi_picture_jpeg_is_stored_as_jpg(media):
    out = io.BytesIO()
    first, second = Image.new("RGB", (32, 32), "red"), Image.new("RGB", (32, 32), "blue")
    first.save(out, "MPO", save_all=True, append_images=[second])
    name, kind = accepted(out.getvalue(), media)
    assert kind == "image" and name.endswith(".jpg")


def test_an_animated_gif_is_decoded_frame_by_frame(media):
    out = io.BytesIO()
    frames = [Image.new("P", (40, 40), i) for i in range(3)]
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100)
    data = out.getvalue()
    name, _ = accepted(data, media)
    assert name.endswith(".gif")
    # the same animation cut in the middle of its last frame: the header is fine, decoding is not
    media_2 = media.parent / "media-2"
    assert "bukan gambar" in refused(data[:-12], media_2)


def test_a_gif_header_followed_by_html_is_refused(media):
    message = refused(b"GIF89a<html><script>alert(document.cookie)</script></html>", media)
    assert message == "Berkas bukan gambar yang sah."


def test_html_with_no_known_header_is_refused_as_unsupported(media):
    assert "tidak didukung" in refused(b"<script>alert(1)</script>", media)


def test_a_truncated_png_is_refused(media):
    data = image("PNG", size=(64, 64))
    assert "bukan gambar" in refused(data[: len(data) // 2], media)


def test_a_png_whose_pixel_data_is_cut_short_is_refused(media):
    """Every chunk and checksum is in order; only decoding the pixels shows the data is missing."""
    rows = b"".join(b"\x00" + bytes(range(64)) * 3 for _ in range(64))
    data = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(rows)[:40]) + png_chunk(b"IEND", b""))
    assert "bukan gambar" in refused(data, media)


@pytest.mark.parametrize("width, height", [(8000, 6000), (10_000, 10_000), (60_000, 60_000)])
def test_a_decompression_bomb_is_refused(media, recwarn, width, height):
    # 48 MP: over our 40 MP; 100 MP: Pillow warns; 3600 MP: Pillow raises. All three: a refusal.
    assert "megapiksel" in refused(png_claiming(width, height), media)
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]


def test_a_real_image_over_the_pixel_limit_is_refused(media):
    out = io.BytesIO()
    Image.new("1", (8000, 5100)).save(out, "PNG")  # 40.8 MP, a few kB
    assert "megapiksel" in refused(out.getvalue(), media)


@pytest.mark.parametrize("width, height", [(0, 10), (10, 0)])
def test_zero_size_images_are_refused(media, width, height):
    message = refused(png_claiming(width, height), media)
    assert "tidak wajar" in message or "bukan gambar" in message


@pytest.mark.parametrize("size", [(30_000, 1), (1, 25_000)])
def test_absurd_dimensions_are_refused_even_when_the_image_decodes(media, size):
    out = io.BytesIO()
    Image.new("1", size).save(out, "PNG")
    assert "tidak wajar" in refused(out.getvalue(), media)


def test_logos_accept_images_only(media):
    assert "tidak didukung" in refused(FTYP + MOOV + MDAT, media, images_only=True)


# ---- MP4 --------------------------------------------------------------------------------------
def test_a_small_mp4_built_box_by_box_is_accepted(media):
    name, kind = accepted(FTYP + box(b"free") + MOOV + MDAT, media)
    assert kind == "video" and name.endswith(".mp4")


def test_mp4_largesize_and_size_zero_boxes_are_understood(media):
    payload = b"frame" * 10
    large = struct.pack(">I4sQ", 1, b"mdat", 16 + len(payload)) + payload
    to_end = struct.pack(">I4s", 0, b"mdat") + payload
    assert accepted(FTYP + MOOV + large, media)[1] == "video"
    assert accepted(FTYP + MOOV + to_end, media.parent / "other")[1] == "video"


@pytest.mark.parametrize("data", [
    FTYP + MOOV + struct.pack(">I4s", 4096, b"mdat") + b"short",          # says more than there is
    FTYP + MOOV + MDAT + b"\x00\x00\x00",                                  # three stray bytes at the end
    FTYP + MOOV + struct.pack(">I4sQ", 1, b"mdat", 10 ** 12) + b"x",       # lying 64-bit size
    FTYP + MOOV + struct.pack(">I4s", 4, b"mdat") + b"abcd",               # smaller than its own header
    FTYP + box(b"moov", box(b"mvhd", bytes(100)) + b"\x00\x00\x01\x00trak") + MDAT,  # child overruns moov
], ids=["too-long", "trailing", "largesize", "too-short", "child"])
def test_an_mp4_with_a_lying_box_size_is_refused(media, data):
    assert refused(data, media) == "Berkas bukan video MP4 yang sah."


def test_an_mp4_without_moov_or_mdat_is_refused(media):
    assert "MP4" in refused(FTYP + box(b"free", b"x" * 8) + MDAT, media)
    assert "MP4" in refused(FTYP + MOOV, media)
    assert "MP4" in refused(FTYP + box(b"moov", box(b"free")) + MDAT, media)


def test_an_mp4_header_followed_by_html_is_refused(media):
    assert "MP4" in refused(FTYP + b"<html><script>alert(1)</script></html>", media)


def test_an_mp4_of_unknown_brand_is_refused(media):
    ftyp = box(b"ftyp", b"qt  " + struct.pack(">I", 0) + b"qt  ")
    assert "brand" in refused(ftyp + MOOV + MDAT, media)


def test_a_large_video_is_checked_without_reading_it_into_memory(media):
    payload_size = 24 * 1024 * 1024
    data = FTYP + MOOV + struct.pack(">I4s", 8 + payload_size, b"mdat") + bytes(payload_size)
    stream = io.BytesIO(data)
    tracemalloc.start()
    try:
        save_upload(stream, media)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 6 * 1024 * 1024, f"peak {peak} bytes for a {len(data)} byte upload"


# ---- WebM -------------------------------------------------------------------------------------
def test_a_minimal_webm_is_accepted(media):
    name, kind = accepted(webm(), media)
    assert kind == "video" and name.endswith(".webm")


def test_a_webm_recorded_live_with_unknown_sizes_is_accepted(media):
    assert accepted(webm(segment_unknown=True, cluster_unknown=True), media)[0].endswith(".webm")


def test_garbage_after_the_ebml_magic_is_refused(media):
    assert refused(b"\x1a\x45\xdf\xa3<html><script>alert(1)</script></html>", media) \
        == "Berkas bukan video WebM yang sah."
    assert "WebM" in refused(b"\x1a\x45\xdf\xa3\x00\x00\x00\x00", media)


def test_a_webm_needs_the_webm_doctype_and_a_segment(media):
    assert "WebM" in refused(webm(doctype=b"matroska"), media)
    header_only = webm().split(b"\x18\x53\x80\x67")[0]
    assert "WebM" in refused(header_only, media)
    assert "WebM" in refused(header_only + ebml(0x1654AE6B, b""), media)  # Tracks where the Segment goes


def test_a_webm_with_a_lying_size_is_refused(media):
    data = webm()
    assert "WebM" in refused(data[:-3], media)           # the Segment says more than there is
    assert "WebM" in refused(data + b"\xec\x80", media)   # something after the Segment


# ---- end to end -------------------------------------------------------------------------------
def test_a_replaced_logo_is_deleted_and_bad_uploads_get_a_json_400(make_server):
    server = make_server()
    manager = server.headers(server.token("manager"))
    media_dir = server.db.parent / "media"

    def upload(path, data, filename="logo.png", **form):
        return requests.post(server.url + path, headers=manager, timeout=10, data=form,
                             files={"file": (filename, data, "application/octet-stream")})

    def stored():
        return sorted(p.name for p in media_dir.iterdir()) if media_dir.exists() else []

    def served(url, data, content_type):
        response = requests.get(server.url + url, timeout=5)
        assert response.status_code == 200 and response.content == data
        assert response.headers["Content-Type"].startswith(content_type)

    first_png = image("PNG")
    first = upload("/api/manage/logo", first_png)
    assert first.status_code == 201, first.text
    first_url = first.json()["url"]
    assert first_url.endswith(".png") and stored() == [first_url.rsplit("/", 1)[1]]
    served(first_url, first_png, "image/png")

    new_jpeg = image("JPEG")
    second = upload("/api/manage/logo", new_jpeg, filename="logo.png")  # the name lies; the decoder does not
    assert second.status_code == 201, second.text
    second_url = second.json()["url"]
    assert second_url.endswith(".jpg")
    assert stored() == [second_url.rsplit("/", 1)[1]], "the replaced hall logo is still on disk"
    assert requests.get(server.url + first_url, timeout=5).status_code == 404
    served(second_url, new_jpeg, "image/jpeg")

    # an agency logo replaced: same rule, and the hall logo is left alone
    agency = [upload("/api/manage/logo", image("WEBP"), service="A") for _ in range(2)]
    assert [r.status_code for r in agency] == [201, 201]
    agency_name = agency[1].json()["url"].rsplit("/", 1)[1]
    assert stored() == sorted([second_url.rsplit("/", 1)[1], agency_name])

    # a file still in use elsewhere is kept: point agency B at the current hall logo, then replace it
    hall_name = second_url.rsplit("/", 1)[1]
    with sqlite3.connect(server.db) as db:
        db.execute("UPDATE services SET logo = ? WHERE code = 'B'", (hall_name,))
    third = upload("/api/manage/logo", image("GIF"))
    assert third.status_code == 201, third.text
    assert hall_name in stored(), "a logo still used by agency B was deleted"
    served(second_url, new_jpeg, "image/jpeg")

    before = stored()
    for path in ("/api/manage/logo", "/api/manage/media"):
        bad = upload(path, b"GIF89a<html><script>alert(document.cookie)</script></html>", filename="x.gif")
        assert bad.status_code == 400
        assert bad.headers["Content-Type"].startswith("application/json")
        assert bad.json() == {"error": "Berkas bukan gambar yang sah."}
    assert stored() == before, "a refused upload left a file in the media directory"
    assert requests.get(server.url + "/api/media", timeout=5).json()["media"] == []

    video = upload("/api/manage/media", FTYP + MOOV + MDAT, filename="promo.mp4", title="Promo")
    assert video.status_code == 201, video.text
    assert video.json()["kind"] == "video" and video.json()["url"].endswith(".mp4")
    served(video.json()["url"], FTYP + MOOV + MDAT, "video/mp4")
