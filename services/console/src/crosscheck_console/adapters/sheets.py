"""The printable 检查安排表 of a round: group, leader, members, dates, village, places
with address, owner and phone; as XLSX (openpyxl) and as A4 landscape PDF (fpdf2 with
Noto Sans CJK SC embedded, so it prints the same everywhere)."""

from __future__ import annotations

import io
from importlib.resources import files

from fpdf import FPDF
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from crosscheck_console.domain.plan import PlacePlanned, RoundTable

HEADERS = ["检查组", "组长", "组员", "检查日期", "村委会", "场所", "地址", "负责人", "联系电话"]
_FONT = "NotoSansSC"
_COLUMNS = (18, 16, 38, 30, 22, 42, 50, 16, 30)  # mm; A4 landscape minus margins is 267


def _title(campaign: str, table: RoundTable) -> str:
    return f"{campaign} 第{table.round_no}轮检查安排表"


def _lines(table: RoundTable) -> list[list[str]]:
    dates = f"{table.starts_on} 至 {table.ends_on}"
    out = []
    for row in table.rows:
        empty = PlacePlanned("", "", "", "")
        for index, place in enumerate(row.places or [empty]):
            first = index == 0
            out.append(
                [
                    row.group if first else "",
                    row.leader if first else "",
                    "、".join(row.members) if first else "",
                    dates if first else "",
                    row.village if first else "",
                    place.name,
                    place.address,
                    place.owner,
                    place.phone,
                ]
            )
    return out


def schedule_xlsx(campaign: str, township: str, table: RoundTable) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"第{table.round_no}轮"
    sheet.append([f"{township} {_title(campaign, table)}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for line in _lines(table):
        sheet.append(line)
    for letter, width in zip("ABCDEFGHI", (10, 8, 24, 24, 12, 24, 30, 8, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def schedule_pdf(campaign: str, township: str, table: RoundTable) -> bytes:
    """CPU-bound (font subsetting): call it off the event loop."""
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_margins(15, 12, 15)
    pdf.set_auto_page_break(auto=True, margin=12)
    font = str(files("noto_cjk_sans_otc").joinpath("NotoSansCJK-Regular.ttc"))
    pdf.add_font(_FONT, fname=font, collection_font_number=2)
    pdf.set_title(_title(campaign, table))
    pdf.set_lang("zh-CN")
    pdf.add_page()
    pdf.set_font(_FONT, size=16)
    pdf.cell(
        0, 10, f"{township} {_title(campaign, table)}", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font(_FONT, size=8.5)
    heading = FontFace(fill_color=(230, 236, 245))
    with pdf.table(col_widths=_COLUMNS, headings_style=heading, line_height=4.6) as rows:
        rows.row(HEADERS)
        for line in _lines(table):
            rows.row(line)
    return bytes(pdf.output())
