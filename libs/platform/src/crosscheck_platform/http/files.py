"""Files over HTTP: an upload read within its size limit, a download named safely.

An upload is refused with 413 as soon as it is known to pass the limit: by its declared
Content-Length before anything is read, else while its chunks arrive (a chunked body, or
one whose length is not declared), so an oversized body is never held whole. A body
cannot run past a declared Content-Length either: the HTTP server stops there.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import quote

from starlette.requests import Request

from crosscheck_platform.errors import DomainError
from crosscheck_platform.i18n import register

register(
    {
        "upload.too_large": (
            "上传的文件超过 {limit_mb} MB 的上限",
            "The uploaded file is larger than the {limit_mb} MB limit.",
        ),
    }
)

_MB = 1024 * 1024


class PayloadTooLarge(DomainError):
    """Too large to accept: the body itself, or (for subclasses) what it unpacks to."""

    code = "too_large"
    message_key = "upload.too_large"


def megabytes(size: int) -> str:
    """10485760 -> "10", 1572864 -> "1.5": sizes as people read them in messages."""
    return f"{size / _MB:.1f}".removesuffix(".0")


def too_large(limit: int, received: int) -> PayloadTooLarge:
    """The error for a body past `limit` bytes; `received` (how much was read before
    refusing, 0 if the declared length sufficed) is in the detail for the client."""
    return PayloadTooLarge(limit_mb=megabytes(limit), limit_bytes=limit, received_bytes=received)


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, if it is at most `limit` bytes; PayloadTooLarge as soon as it is not."""
    declared = request.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit, 0)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit, size)
        chunks.append(chunk)
    return b"".join(chunks)


_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]+")


def content_disposition(kind: Literal["inline", "attachment"], filename: str) -> str:
    """`inline` or `attachment` with the name twice: an ASCII fallback for old clients
    (anything outside letters, digits and `._-` replaced, so no quote, path or header
    break can get in) and the exact name in RFC 5987 form for the others."""
    fallback = _UNSAFE_ASCII.sub("_", filename).strip("._") or "download"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
