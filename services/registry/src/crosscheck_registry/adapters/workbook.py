"""XLSX workbooks read into lines of cell values, one list per sheet, with openpyxl,
once their census (workbook_census) showed them small enough to read.

The census bounds what openpyxl builds: rows by the row numbers the sheet claims (it
pads missing rows up to them), cells per row (it parses a row whole). The sheet's own
size record (`dimension`) is ignored, since openpyxl would pad every row and the sheet
to it, and columns past MAX_COLUMNS are not read.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from crosscheck_registry.adapters.upload_limits import MAX_COLUMNS
from crosscheck_registry.adapters.workbook_census import UnreadableWorkbook, WorkbookCensus

Lines = list[tuple[object, ...]]

# What a workbook that passed its census can still get wrong inside (a shared string
# index out of range, a malformed cell reference, a part openpyxl cannot find).
_MALFORMED = (
    UnreadableWorkbook,
    zipfile.BadZipFile,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    OSError,
    ParseError,
)


def _trimmed(row: Sequence[object]) -> tuple[object, ...]:
    end = len(row)
    while end and row[end - 1] is None:
        end -= 1
    return tuple(row[:end])


def read_workbook(data: bytes) -> list[tuple[str, Lines]] | None:
    """(sheet title, its lines) for each worksheet, or None if the file is not a
    readable workbook. SpreadsheetTooLarge if it is past the limits."""
    try:
        WorkbookCensus().take(data)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _MALFORMED:
        return None
    sheets: list[tuple[str, Lines]] = []
    try:
        for worksheet in workbook.worksheets:
            if not isinstance(worksheet, ReadOnlyWorksheet):
                continue
            worksheet.reset_dimensions()
            rows = worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            sheets.append((worksheet.title, [_trimmed(row) for row in rows]))
    except _MALFORMED:
        return None
    finally:
        workbook.close()
    return sheets
