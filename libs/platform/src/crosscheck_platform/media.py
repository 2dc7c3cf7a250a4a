"""What an uploaded file is, told by its first bytes rather than by what the client says.

A declared Content-Type is only a claim: an HTML page declared as `image/png` and later
served back could be rendered, scripts and all, by a browser that sniffs it. A service
accepts a file only when its signature (magic number) matches the declared type, and
stores and serves that checked type. The table lists the formats some service accepts;
a small table rather than a library, because the list is short and each entry is exact.
"""

from __future__ import annotations

from collections.abc import Callable

from crosscheck_platform.errors import DomainError
from crosscheck_platform.i18n import register

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
HEIC = "image/heic"
HEIF = "image/heif"
PDF = "application/pdf"

register(
    {
        "upload.unsupported_type": (
            "不支持该文件类型",
            "This file type is not supported.",
        ),
    }
)


class UnsupportedMediaType(DomainError):
    """The declared type is not accepted, or the content is not what it claims to be."""

    code = "unsupported_media_type"
    message_key = "upload.unsupported_type"


# HEIF files are ISO-BMFF: an `ftyp` box first, whose brands say what the file holds.
# These brands mean HEVC-coded images (what phones write as .heic).
_HEVC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})
_HEIF_BRANDS = _HEVC_BRANDS | {b"mif1", b"msf1"}
_FTYP_MAX = 4096  # a real ftyp box lists a handful of brands


def _brands(data: bytes) -> frozenset[bytes]:
    """The major and compatible brands of a leading `ftyp` box, or none."""
    if data[4:8] != b"ftyp":
        return frozenset()
    size = int.from_bytes(data[:4], "big")
    if not 16 <= size <= min(len(data), _FTYP_MAX):
        return frozenset()
    compatible = (data[i : i + 4] for i in range(16, size - 3, 4))
    return frozenset({data[8:12], *compatible})


_SIGNATURES: dict[str, Callable[[bytes], bool]] = {
    JPEG: lambda d: d.startswith(b"\xff\xd8\xff"),
    PNG: lambda d: d.startswith(b"\x89PNG\r\n\x1a\n"),
    WEBP: lambda d: d[:4] == b"RIFF" and d[8:12] == b"WEBP",
    PDF: lambda d: d.startswith(b"%PDF-"),
    HEIC: lambda d: bool(_brands(d) & _HEVC_BRANDS),
    HEIF: lambda d: bool(_brands(d) & _HEIF_BRANDS),
}


def media_type_of(content_type: str) -> str:
    """`image/PNG; charset=binary` -> `image/png`."""
    return content_type.split(";")[0].strip().lower()


def sniff(data: bytes) -> str | None:
    """The first known type whose signature the data carries (HEIC before HEIF)."""
    return next((kind for kind, matches in _SIGNATURES.items() if matches(data)), None)


def matches(media_type: str, data: bytes) -> bool:
    """Whether the data carries the signature of `media_type` (False if not in the table)."""
    check = _SIGNATURES.get(media_type)
    return check is not None and check(data)


def is_image(media_type: str) -> bool:
    return media_type.startswith("image/")
