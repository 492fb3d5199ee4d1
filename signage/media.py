"""Uploaded images and videos for the screens' playlist, hall logo and agency logos.

A file's type is decided by its first bytes, not by its name or the browser's word, and it is
stored under a random name: nothing a user typed ever becomes part of a path.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import BinaryIO

IMAGE_MAX = 10 * 1024 * 1024
VIDEO_MAX = 200 * 1024 * 1024


class UploadError(ValueError):
    pass


def sniff(head: bytes) -> tuple[str, str] | None:
    """(kind, extension) from a file's first bytes, or None if it is not a type we show."""
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
        raise UploadError(f"Jenis berkas tidak didukung. Gunakan {allowed}.")
    kind, ext = found
    limit = IMAGE_MAX if kind == "image" else VIDEO_MAX
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(12)}.{ext}"
    tmp = directory / f".{name}.part"
    size = len(head)
    try:
        with open(tmp, "wb") as out:
            out.write(head)
            while chunk := stream.read(1024 * 1024):
                size += len(chunk)
                if size > limit:
                    raise UploadError(f"Berkas terlalu besar (maks. {limit // (1024 * 1024)} MB untuk {kind}).")
                out.write(chunk)
        os.replace(tmp, directory / name)
    finally:
        tmp.unlink(missing_ok=True)
    return name, kind, size
