"""Writing sheets as XLSX (one worksheet each) and as CSV (UTF-8 with BOM for Excel)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from crosscheck_ledgers.adapters.sheets import Sheet

_TITLE_FONT = Font(bold=True, size=14)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def xlsx(
    sheets: Sequence[tuple[Sheet, Sequence[dict[str, Any]]]], lang: str, township: str | None
) -> bytes:
    """`township`: the name in each sheet's title row (None for several townships)."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for sheet, rows in sheets:
        ws = book.create_sheet(sheet.title(lang))
        headers = sheet.headers(lang)
        last = get_column_letter(len(headers))
        # Row 1: the title across the table; row 2: the column headers.
        ws.append([sheet.heading(township, lang)])
        ws.merge_cells(f"A1:{last}1")
        ws["A1"].font = _TITLE_FONT
        ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[1].height = 28
        ws.append(headers)
        for cells in sheet.cells(rows, lang):
            ws.append(cells)
        for n, width in enumerate(sheet.widths(), start=1):
            ws.column_dimensions[get_column_letter(n)].width = width + 2
            header = ws.cell(row=2, column=n)
            header.font = _HEADER_FONT
            header.fill = _HEADER_FILL
            header.alignment = Alignment(wrap_text=True, vertical="center")
        ws.freeze_panes = "A3"  # title and headers stay in view when scrolling
        if rows:
            ws.auto_filter.ref = f"A2:{last}{ws.max_row}"
        _print_setup(ws)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _print_setup(ws: Any) -> None:
    """A4 landscape, one page wide, the header rows repeated on every printed page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:2"
    ws.print_options.horizontalCentered = True


def csv_bytes(sheet: Sheet, rows: Sequence[dict[str, Any]], lang: str) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(sheet.headers(lang))
    writer.writerows(["" if c is None else c for c in cells] for cells in sheet.cells(rows, lang))
    # The BOM tells Excel the file is UTF-8; without it Chinese opens as mojibake.
    return text.getvalue().encode("utf-8-sig")
