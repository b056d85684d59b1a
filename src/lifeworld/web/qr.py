"""QR codes as inline SVG (segno): the connect page's and the invite links'."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(text: str, *, title: str) -> Markup:
    """`text` as a black-on-white QR code, an SVG to place inline (no size: CSS sets it)."""
    svg = segno.make(text, error="m").svg_inline(
        scale=5, border=2, dark="#000", light="#fff", omitsize=True, title=title
    )
    return Markup(svg)  # segno's own markup; `title` is escaped by segno
