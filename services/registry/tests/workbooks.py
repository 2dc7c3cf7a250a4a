"""Workbooks crafted for the import's limits: a real workbook from openpyxl taken apart
into its parts, parts replaced or added, and the zip archive written back by hand, so
that a part can declare a size it does not have and a 200 MB sheet can be packed
without ever being in memory or compressed byte by byte (see `repeated_part`)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from openpyxl import Workbook

from crosscheck_registry.adapters.workbook_census import MAIN

SHEET = "xl/worksheets/sheet1.xml"
SHEET_START = f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}">'
_DEFLATE = 8


@dataclass(frozen=True)
class Part:
    deflated: bytes
    crc: int
    size: int
    declared: int | None = None  # the unpacked size the archive states, when it lies

    def lying(self, declared: int) -> Part:
        return Part(self.deflated, self.crc, self.size, declared)


def _packer() -> zlib._Compress:
    return zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate, as zip archives hold


def part(data: bytes) -> Part:
    packer = _packer()
    return Part(packer.compress(data) + packer.flush(), zlib.crc32(data), len(data))


def repeated_part(start: bytes, block: bytes, times: int, end: bytes) -> Part:
    """start + block * times + end, packed. After a full flush the packer keeps no
    history, so each copy of the block packs to the same bytes: packed once, repeated."""
    packer = _packer()
    head = packer.compress(start) + packer.flush(zlib.Z_FULL_FLUSH)
    packed_block = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    tail = packer.compress(end) + packer.flush()
    crc = zlib.crc32(start)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(end, crc)
    size = len(start) + len(block) * times + len(end)
    return Part(head + packed_block * times + tail, crc, size)


def big_cell_sheet(megabytes: int) -> Part:
    """A sheet whose one cell holds `megabytes` MB of text (openpyxl would build the
    whole string), packed under a megabyte."""
    start = SHEET_START + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
    end = b"</t></is></c></row></sheetData></worksheet>"
    return repeated_part(start.encode(), b"A" * (1 << 20), megabytes, end)


def inflated_size(part: Part) -> int:
    """What the part really unpacks to, inflated in bounded steps (checks a crafted
    part is what it claims to be, without holding it)."""
    inflater = zlib.decompressobj(-15)
    size, crc, pending = 0, 0, part.deflated
    while pending:
        out = inflater.decompress(pending, 1 << 20)
        size, crc = size + len(out), zlib.crc32(out, crc)
        pending = inflater.unconsumed_tail
    assert crc == part.crc
    return size


def workbook(rows: Iterable[Iterable[object]], title: str = "村委会") -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def villages(rows: int) -> list[list[str]]:
    """A village committee sheet of `rows` rows, its header included."""
    return [["村委会名称", "村委会代码"]] + [
        [f"第{n}村委会", f"532327101{n:03d}"] for n in range(1, rows)
    ]


def parts_of(book: bytes) -> dict[str, Part]:
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        return {name: part(archive.read(name)) for name in archive.namelist()}


def archive(parts: Mapping[str, Part], *, zip64_end: bool = False) -> bytes:
    """A zip archive of the parts, each deflated, with the sizes each part declares;
    with `zip64_end`, its end told by zip64 records (the classic one only points there)."""
    out = bytearray()
    directory = bytearray()
    for name, p in parts.items():
        encoded = name.encode()
        declared = p.size if p.declared is None else p.declared
        sizes = (p.crc, len(p.deflated), declared, len(encoded))
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, _DEFLATE, 0, 0x21, *sizes, 0)
        out += encoded + p.deflated
        directory += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            _DEFLATE,
            0,
            0x21,
            *sizes,
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        directory += encoded
    count, size, offset = len(parts), len(directory), len(out)
    out += directory
    if zip64_end:
        record = len(out)
        out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, size, offset)
        out += struct.pack("<IIQI", 0x07064B50, 0, record, 1)
        count, size, offset = 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, size, offset, 0)
    return bytes(out)
