"""Uploaded images and videos for the screens' playlist, hall logo and agency logos.

A file is accepted only if it decodes: images are fully decoded with Pillow, MP4 files must have
a sound ISO-BMFF box structure from the first byte to the last, WebM files a sound EBML header
followed by a Segment. The first bytes only choose which check runs, so a GIF header followed
by HTML is refused. The file is stored under a random name whose extension follows the decoded
format: nothing a user typed ever becomes part of a path.
"""
from __future__ import annotations

import os
import secrets
import struct
import warnings
from pathlib import Path
from typing import BinaryIO
from .messages import N_

IMAGE_MAX = 10 * 1024 * 1024
VIDEO_MAX = 200 * 1024 * 1024
MAX_PIXELS = 40_000_000          # one frame; a 40 MP RGBA frame is 160 MB decoded
MAX_SIDE = 20_000                # wider or taller than this is no picture for a screen
MAX_DECODED_PIXELS = 400_000_000  # all frames of an animation together
MAX_ELEMENTS = 100_000           # top-level MP4 boxes or WebM elements (fragmented files have many)

# Pillow's format name -> stored extension. MPO is a JPEG with extra pictures (some cameras).
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "MPO": "jpg", "WEBP": "webp", "GIF": "gif"}
MP4_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
              b"M4V ", b"dash", b"mmp4", b"msnv", b"MSNV"}

NOT_IMAGE = N_("Berkas bukan gambar yang sah.")
NOT_MP4 = N_("Berkas bukan video MP4 yang sah.")
NOT_WEBM = N_("Berkas bukan video WebM yang sah.")


class UploadError(ValueError):
    pass


def sniff(head: bytes) -> tuple[str, str] | None:
    """(kind, format) guessed from a file's first bytes, or None if it is not a type we show.

    Only a guess, to pick the check and the size limit: `save_upload` decodes before it accepts.
    """
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image", "jpg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image", "gif"
    if head[4:8] == b"ftyp":
        return "video", "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video", "webm"
    return None


def save_upload(stream: BinaryIO, directory: Path, *, images_only: bool = False) -> tuple[str, str, int]:
    """Check and store an upload; returns (generated file name, kind, size). Writes nothing on error."""
    head = stream.read(16)
    found = sniff(head)
    if found is None or (images_only and found[0] != "image"):
        allowed = "PNG, JPEG, WebP, GIF" + ("" if images_only else ", MP4, WebM")
        raise UploadError(N_("Jenis berkas tidak didukung. Gunakan %(allowed)s.", allowed=allowed))
    kind, guess = found
    limit = IMAGE_MAX if kind == "image" else VIDEO_MAX
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{secrets.token_hex(12)}.part"
    size = len(head)
    try:
        with open(tmp, "wb") as out:
            out.write(head)
            while chunk := stream.read(1024 * 1024):
                size += len(chunk)
                if size > limit:
                    raise UploadError(N_("Berkas terlalu besar (maks. %(limit)s MB untuk %(kind)s).", limit=limit // (1024 * 1024), kind=kind))
                out.write(chunk)
        if kind == "image":
            ext = check_image(tmp)
        else:
            with open(tmp, "rb") as f:
                (check_mp4 if guess == "mp4" else check_webm)(f, size)
            ext = guess
        name = f"{secrets.token_hex(12)}.{ext}"
        os.replace(tmp, directory / name)
    finally:
        tmp.unlink(missing_ok=True)
    return name, kind, size


# ---- images ------------------------------------------------------------------------------
def check_image(path: Path) -> str:
    """Decode the whole image (every frame); returns the extension of its decoded format."""
    from PIL import Image

    with warnings.catch_warnings():
        # Pillow warns (and past twice its own limit, raises) on huge images: refuse both.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path, formats=("PNG", "JPEG", "WEBP", "GIF")) as img:
                _check_size(img.size)
                img.verify()  # checksums and structure, without decoding pixels
            with Image.open(path, formats=("PNG", "JPEG", "WEBP", "GIF")) as img:
                fmt = img.format
                width, height = img.size
                _check_size(img.size)
                frames = getattr(img, "n_frames", 1)
                if frames * width * height > MAX_DECODED_PIXELS:
                    raise UploadError(N_("Animasi terlalu besar (terlalu banyak bingkai)."))
                for frame in range(frames):
                    img.seek(frame)
                    _check_size(img.size)
                    img.load()
        except UploadError:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise UploadError(N_("Gambar terlalu besar (maks. %(max_pixels)s megapiksel).", max_pixels=MAX_PIXELS // 1000000)) from exc
        except Exception as exc:  # decoders raise many kinds (OSError, SyntaxError, ValueError, ...)
            raise UploadError(NOT_IMAGE) from exc
    if fmt not in IMAGE_FORMATS:
        raise UploadError(NOT_IMAGE)
    return IMAGE_FORMATS[fmt]


def _check_size(size: tuple[int, int]) -> None:
    width, height = size
    if width < 1 or height < 1 or width > MAX_SIDE or height > MAX_SIDE:
        raise UploadError(N_("Ukuran gambar tidak wajar (%(width)s×%(height)s piksel).", width=width, height=height))
    if width * height > MAX_PIXELS:
        raise UploadError(N_("Gambar terlalu besar (maks. %(max_pixels)s megapiksel).", max_pixels=MAX_PIXELS // 1000000))


# ---- MP4 (ISO base media file format) -----------------------------------------------------
def _boxes(f: BinaryIO, start: int, end: int):
    """(type, payload start, box end) of each box in [start, end); the sizes must tile it exactly."""
    pos, count = start, 0
    while pos < end:
        count += 1
        if count > MAX_ELEMENTS or end - pos < 8:
            raise UploadError(NOT_MP4)
        f.seek(pos)
        size, kind = struct.unpack(">I4s", f.read(8))
        header = 8
        if size == 1:  # 64-bit largesize follows the type
            if end - pos < 16:
                raise UploadError(NOT_MP4)
            (size,) = struct.unpack(">Q", f.read(8))
            header = 16
        elif size == 0:  # the box runs to the end of its parent (the file)
            size = end - pos
        if size < header or pos + size > end or not all(0x20 <= b <= 0x7E for b in kind):
            raise UploadError(NOT_MP4)
        yield kind, pos + header, pos + size
        pos += size


def check_mp4(f: BinaryIO, size: int) -> None:
    """The whole file is boxes: `ftyp` first with a known brand, then `moov` (with `mvhd` and a
    `trak`) and `mdat` somewhere."""
    seen = set()
    for kind, payload, end in _boxes(f, 0, size):
        if not seen:
            if kind != b"ftyp" or end - payload < 8:
                raise UploadError(NOT_MP4)
            f.seek(payload)
            brands = f.read(end - payload) if end - payload <= 1024 else f.read(1024)
            # major brand, minor version, then compatible brands
            names = {brands[:4]} | {brands[i:i + 4] for i in range(8, len(brands) - 3, 4)}
            if not names & MP4_BRANDS:
                raise UploadError(N_("Video MP4 dengan jenis (brand) yang tidak dikenal."))
        elif kind == b"moov":
            inside = {child for child, _, _ in _boxes(f, payload, end)}
            if not {b"mvhd", b"trak"} <= inside:
                raise UploadError(NOT_MP4)
        seen.add(kind)
    if not {b"ftyp", b"moov", b"mdat"} <= seen:
        raise UploadError(NOT_MP4)


# ---- WebM (Matroska subset, EBML) ---------------------------------------------------------
EBML_ID, DOCTYPE_ID, SEGMENT_ID = 0x1A45DFA3, 0x4282, 0x18538067
TRACKS_ID, CLUSTER_ID = 0x1654AE6B, 0x1F43B675
SEGMENT_CHILDREN = {0x114D9B74, 0x1549A966, TRACKS_ID, CLUSTER_ID, 0x1C53BB6B, 0x1941A469,
                    0x1043A770, 0x1254C367, 0xEC, 0xBF}  # SeekHead Info Tracks Cluster Cues
                                                          # Attachments Chapters Tags Void CRC-32


def _vint(f: BinaryIO, max_len: int, *, keep_marker: bool) -> tuple[int, int, bool]:
    """(value, length, all value bits set) of an EBML variable-length integer."""
    first = f.read(1)
    if not first or first[0] == 0:
        raise UploadError(NOT_WEBM)
    length = 9 - first[0].bit_length()
    if length > max_len:
        raise UploadError(NOT_WEBM)
    rest = f.read(length - 1)
    if len(rest) != length - 1:
        raise UploadError(NOT_WEBM)
    value = int.from_bytes(first + rest, "big")
    bits = 7 * length
    data = value & ((1 << bits) - 1)
    return (value if keep_marker else data), length, data == (1 << bits) - 1


def _element(f: BinaryIO, pos: int, end: int) -> tuple[int, int, int | None]:
    """(id, data start, data end or None for unknown size) of the element at pos."""
    f.seek(pos)
    element_id, id_len, _ = _vint(f, 4, keep_marker=True)
    size, size_len, unknown = _vint(f, 8, keep_marker=False)
    data = pos + id_len + size_len
    if data > end or (not unknown and data + size > end):
        raise UploadError(NOT_WEBM)
    return element_id, data, None if unknown else data + size


def check_webm(f: BinaryIO, size: int) -> None:
    """An EBML header whose DocType is "webm", then a Segment holding Tracks and a Cluster."""
    element_id, data, header_end = _element(f, 0, size)
    if element_id != EBML_ID or header_end is None or header_end - data > 4096:
        raise UploadError(NOT_WEBM)
    doctype = None
    pos = data
    while pos < header_end:
        child, child_data, child_end = _element(f, pos, header_end)
        if child_end is None:
            raise UploadError(NOT_WEBM)
        if child == DOCTYPE_ID:
            f.seek(child_data)
            doctype = f.read(child_end - child_data).rstrip(b"\0")
        pos = child_end
    if doctype != b"webm":
        raise UploadError(NOT_WEBM)
    element_id, pos, segment_end = _element(f, header_end, size)
    if element_id != SEGMENT_ID:
        raise UploadError(NOT_WEBM)
    segment_end = size if segment_end is None else segment_end
    if segment_end != size:
        raise UploadError(NOT_WEBM)
    seen = set()
    for _ in range(MAX_ELEMENTS):
        if pos >= segment_end:
            break
        child, _, child_end = _element(f, pos, segment_end)
        if child not in SEGMENT_CHILDREN:
            raise UploadError(NOT_WEBM)
        seen.add(child)
        if child_end is None:  # a live recording's Cluster of unknown size runs to the end
            if child != CLUSTER_ID:
                raise UploadError(NOT_WEBM)
            break
        pos = child_end
    else:
        raise UploadError(NOT_WEBM)
    if not {TRACKS_ID, CLUSTER_ID} <= seen:
        raise UploadError(NOT_WEBM)
