"""A workbook's census, taken before it is parsed: an XLSX file is a zip archive of XML
parts, and a small one can unpack to gigabytes (a zip bomb) or describe a million rows
in a few bytes. openpyxl trusts both: it inflates what a part holds, and pads missing
rows and columns up to whatever the sheet says. So first, within the limits of
upload_limits, and without keeping anything:

- the archive's table of contents: its size and its number of parts, before reading it;
- each part's declared unpacked size, their total, and how tightly each is packed;
- each part inflated for real, in chunks, counting the bytes (declared sizes can lie);
- the XML parsed as it streams in: rows (their count and the row numbers they claim),
  cells per row and in all, shared strings; and no DTD (entity expansion).

Past a limit: SpreadsheetTooLarge (413). Not a workbook at all: UnreadableWorkbook.
"""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any
from xml.parsers import expat

from crosscheck_registry.adapters.upload_limits import (
    MAX_CELLS,
    MAX_CELLS_PER_ROW,
    MAX_CENTRAL_DIRECTORY_BYTES,
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    RATIO_FLOOR,
    row_too_wide,
    too_many_cells,
    too_many_rows,
    workbook_abnormal,
    workbook_too_large,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP64_END = b"PK\x06\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_END_MAX = 22 + 0xFFFF  # the end record, and the comment that may follow it
_CHUNK = 64 * 1024


class UnreadableWorkbook(Exception):
    """Not a zip archive of well-formed XML."""


class WorkbookCensus:
    """Counts kept across a workbook's parts; `inflated` is read by tests too."""

    def __init__(self) -> None:
        self.inflated = 0
        self.cells = 0
        self.strings = 0

    def take(self, data: bytes) -> None:
        _check_directory(data)
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise UnreadableWorkbook(str(error)) from error
        with archive:
            members = archive.infolist()
            self._check_declared(members)
            for member in members:
                self._inflate(archive, member)

    def _check_declared(self, members: list[zipfile.ZipInfo]) -> None:
        if len(members) > MAX_MEMBERS:
            raise workbook_abnormal("members")
        if any(m.file_size > MAX_MEMBER_BYTES for m in members) or (
            sum(m.file_size for m in members) > MAX_UNPACKED_BYTES
        ):
            raise workbook_too_large(self.inflated)
        for m in members:
            if m.file_size > RATIO_FLOOR and m.file_size > MAX_RATIO * max(m.compress_size, 1):
                raise workbook_abnormal("compression_ratio")

    def _inflate(self, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
        xml: _XmlCounts | None = None
        undecided = True  # whether it is XML, until its first non-blank byte
        size = 0
        try:
            with archive.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    first = size == 0
                    size += len(chunk)
                    self.inflated += len(chunk)
                    if size > member.file_size:
                        raise workbook_abnormal("sizes_differ", self.inflated)
                    if size > MAX_MEMBER_BYTES or self.inflated > MAX_UNPACKED_BYTES:
                        raise workbook_too_large(self.inflated)
                    if undecided:
                        chunk, xml = _xml_start(chunk, first, self)
                        undecided = not chunk
                    if xml is not None:
                        xml.feed(chunk)
            if xml is not None:
                xml.feed(b"", final=True)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as e:
            raise UnreadableWorkbook(f"{member.filename}: {e}") from e


def _xml_start(
    chunk: bytes, first: bool, census: WorkbookCensus
) -> tuple[bytes, _XmlCounts | None]:
    """(the chunk from its first non-blank byte, a counter if that starts XML). Told by
    content, not by name: openpyxl parses a sheet under any name the workbook's
    relations give it; pictures and other binary parts start otherwise."""
    if first and chunk.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, as XML may be
        return chunk, _XmlCounts(census)
    start = chunk.lstrip(b"\xef\xbb\xbf \t\r\n")
    return start, _XmlCounts(census) if start[:1] == b"<" else None


def _check_directory(data: bytes) -> None:
    """The table of contents is read whole into one object per part: bound it first,
    from the archive's end record (or its zip64 one, which some writers add)."""
    end = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - _END_MAX))
    if end < 0 or len(data) < end + 22:
        raise UnreadableWorkbook("no zip end record")
    entries, directory_size = struct.unpack_from("<HI", data, end + 10)
    if end >= 20 and data[end - 20 : end - 16] == _ZIP64_LOCATOR:
        entries, directory_size = _zip64_directory(data, end)
    if entries > MAX_MEMBERS or directory_size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise workbook_abnormal("members")


def _zip64_directory(data: bytes, end: int) -> tuple[int, int]:
    """(entries, directory size) from the zip64 end record that the locator just
    before the end record points to."""
    locator = end - 20
    (record,) = struct.unpack_from("<Q", data, locator + 8)
    if record + 56 > locator or data[record : record + 4] != _ZIP64_END:
        raise UnreadableWorkbook("no zip64 end record")
    entries, directory_size = struct.unpack_from("<QQ", data, record + 32)
    return int(entries), int(directory_size)


class _XmlCounts:
    """One XML part parsed as it is inflated, counting what openpyxl would build, with
    the row numbering openpyxl uses (a row's `r`, else one past the previous row)."""

    def __init__(self, census: WorkbookCensus) -> None:
        self.census = census
        self.rows = 0
        self.row_number = 0
        self.cells_in_row = 0
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.StartElementHandler = self._start
        self.parser.StartDoctypeDeclHandler = self._refuse_dtd
        self.parser.EntityDeclHandler = self._refuse_dtd

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        try:
            self.parser.Parse(chunk, final)
        except expat.ExpatError as error:
            raise UnreadableWorkbook(f"XML: {error}") from error

    def _refuse_dtd(self, *_: Any) -> None:
        raise UnreadableWorkbook("a DTD in a workbook part")

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        if namespace != MAIN:
            return
        if local == "row":
            self._row(attributes.get("r"))
        elif local == "c":
            self.cells_in_row += 1
            self.census.cells += 1
            if self.cells_in_row > MAX_CELLS_PER_ROW:
                raise row_too_wide(self.row_number, self.census.inflated)
            if self.census.cells > MAX_CELLS:
                raise too_many_cells(self.census.inflated)
        elif local == "si":
            self.census.strings += 1
            if self.census.strings > MAX_CELLS:
                raise too_many_cells(self.census.inflated)

    def _row(self, number: str | None) -> None:
        self.rows += 1
        self.cells_in_row = 0
        try:
            self.row_number = int(float(number)) if number else self.row_number + 1
        except (ValueError, OverflowError) as error:
            raise UnreadableWorkbook(f"row number {number!r}") from error
        if self.rows > MAX_ROWS or self.row_number > MAX_ROWS:
            raise too_many_rows(self.census.inflated)
