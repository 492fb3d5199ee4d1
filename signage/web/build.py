"""Which build of the pages this server serves, so screens left open for days follow an upgrade.

A hall's TVs and kiosks load their page once and keep it: after the server is upgraded they
reconnect with the old scripts, which may not understand what the new server sends. Every `state`
carries `build`, a hash of the files the pages are made of; live.js reloads the page (after a
random pause, so a hall's screens do not all ask at once) when it changes.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

PARTS = ("static/js", "static/css", "static/vendor", "templates")


def page_build(root: Path) -> str:
    """A short hash of every file under PARTS of `root`: their paths and contents."""
    digest = hashlib.sha256()
    for part in PARTS:
        folder = Path(root) / part
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
