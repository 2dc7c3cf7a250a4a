"""Writing sheets as XLSX (one worksheet each) and as CSV (UTF-8 with BOM for Excel)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from crosscheck_ledgers.domain.sheets import Sheet

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def xlsx(sheets: Sequence[tuple[Sheet, Sequence[dict[str, Any]]]], lang: str) -> bytes:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for sheet, rows in sheets:
        ws = book.create_sheet(sheet.title(lang))
        ws.append(sheet.headers(lang))
        for cells in sheet.cells(rows, lang):
            ws.append(cells)
        for n, column in enumerate(sheet.columns, start=1):
            ws.column_dimensions[get_column_letter(n)].width = column.width + 2
            header = ws.cell(row=1, column=n)
            header.font = _HEADER_FONT
            header.fill = _HEADER_FILL
            header.alignment = Alignment(wrap_text=True, vertical="center")
        ws.freeze_panes = "A2"  # the header row stays in view when scrolling
        if rows:
            ws.auto_filter.ref = ws.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(sheet: Sheet, rows: Sequence[dict[str, Any]], lang: str) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(sheet.headers(lang))
    writer.writerows(["" if c is None else c for c in cells] for cells in sheet.cells(rows, lang))
    # The BOM tells Excel the file is UTF-8; without it Chinese opens as mojibake.
    return text.getvalue().encode("utf-8-sig")
