"""The ticket's QR code for the kiosk's screen: an SVG made on the server (qrcode), as a data:
URI the page can show under its Content-Security-Policy (img-src 'self' data:). The printed
slip draws the same link with python-escpos."""
from __future__ import annotations

import base64

MAX_TEXT = 300


def data_uri(text: str) -> str | None:
    """The QR of `text` as data:image/svg+xml, or None for nothing (or too much) to encode."""
    if not isinstance(text, str) or not text or len(text) > MAX_TEXT:
        return None
    import qrcode
    import qrcode.image.svg
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
