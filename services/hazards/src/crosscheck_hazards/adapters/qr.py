"""QR codes of the notices' status links, as inline SVG (HTML) and PNG (PDF)."""

from __future__ import annotations

import io

import segno


def qr_svg(url: str) -> str:
    return str(segno.make(url, error="m").svg_inline(scale=3, border=2))


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=8, border=4)
    return out.getvalue()
