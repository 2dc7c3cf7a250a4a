"""How much an inventory file may hold, and the refusal (413) when it holds more.

A township's inventory lists a few thousand rows at most: the largest townships have
two to three thousand places to inspect and a few hundred staff. The limits leave ten
times that room for any real file, while keeping what an import holds in memory small;
a file past them is refused before it is unpacked or parsed in full, whatever it claims.
"""

from __future__ import annotations

from typing import Any

from crosscheck_platform.http.files import PayloadTooLarge, megabytes

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
"""The request body: a CSV of 20,000 rows is 3-4 MB; the rest is room for pictures
pasted into a workbook."""
MAX_ROWS = 20_000
"""Rows of one sheet, counted as the file numbers them (a header and blank rows too)."""
MAX_COLUMNS = 64
"""Columns read from each row: the sheets have about ten (plus 序号, 备注 and the like);
further right nothing is read."""
MAX_CELLS_PER_ROW = 256
"""Cells one row of the file may hold, blank formatted ones included: a row is parsed
whole before its columns are picked, so this bounds the memory one row can take."""
MAX_CELLS = 500_000
"""Cells and shared strings in all sheets together (20,000 rows of 25 cells)."""
MAX_MEMBERS = 256
"""Parts of a workbook's zip archive: one with three sheets has about fifteen."""
MAX_CENTRAL_DIRECTORY_BYTES = 256 * 1024
"""The archive's table of contents, checked before it is read (one entry per part)."""
MAX_MEMBER_BYTES = 32 * 1024 * 1024
"""One unpacked part: a sheet of 20,000 rows of 25 cells is about 22 MB of XML."""
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
"""All unpacked parts together."""
MAX_RATIO = 200
"""Unpacked size over packed size of a part larger than RATIO_FLOOR: sheet XML packs
10-50 times smaller; a zip bomb, hundreds to a thousand times."""
RATIO_FLOOR = 1024 * 1024


class SpreadsheetTooLarge(PayloadTooLarge):
    """The file is within the upload limit but holds, or unpacks to, more than an
    import may. `inflated_bytes`: how much was unpacked before it was refused."""

    def __init__(self, message_key: str, /, *, inflated_bytes: int = 0, **params: Any) -> None:
        super().__init__(message_key, **params)
        self.inflated_bytes = inflated_bytes


def too_many_rows(inflated_bytes: int = 0) -> SpreadsheetTooLarge:
    return SpreadsheetTooLarge(
        "registry.import.too_many_rows", limit=MAX_ROWS, inflated_bytes=inflated_bytes
    )


def row_too_wide(row: int, inflated_bytes: int = 0) -> SpreadsheetTooLarge:
    return SpreadsheetTooLarge(
        "registry.import.row_too_wide",
        row=row,
        limit=MAX_CELLS_PER_ROW,
        inflated_bytes=inflated_bytes,
    )


def too_many_cells(inflated_bytes: int) -> SpreadsheetTooLarge:
    return SpreadsheetTooLarge(
        "registry.import.too_many_cells", limit=MAX_CELLS, inflated_bytes=inflated_bytes
    )


def workbook_too_large(inflated_bytes: int) -> SpreadsheetTooLarge:
    return SpreadsheetTooLarge(
        "registry.import.workbook_too_large",
        limit_mb=megabytes(MAX_UNPACKED_BYTES),
        inflated_bytes=inflated_bytes,
    )


def workbook_abnormal(reason: str, inflated_bytes: int = 0) -> SpreadsheetTooLarge:
    """Too many parts, or packed too tightly: the shape of a zip bomb, not of a sheet."""
    return SpreadsheetTooLarge(
        "registry.import.workbook_abnormal", reason=reason, inflated_bytes=inflated_bytes
    )
