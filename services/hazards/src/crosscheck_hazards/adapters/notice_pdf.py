"""The rectification notice as PDF, with Noto Sans CJK SC embedded (subset) so that it
prints the same everywhere. The font comes from a PyPI package (SIL OFL)."""

from __future__ import annotations

import io
from importlib.resources import files

from fpdf import FPDF
from fpdf.fonts import FontFace

from crosscheck_hazards.adapters.qr import qr_png
from crosscheck_hazards.app.notice import Notice

FONT = "NotoSansSC"
_SIMPLIFIED_CHINESE = 2  # index of "Noto Sans CJK SC" in the OpenType collection
_COLUMNS = (9, 34, 16, 14, 38, 30, 22, 17)  # mm; A4 minus margins is 180 mm
_QR_MM = 28


def _font_path() -> str:
    return str(files("noto_cjk_sans_otc").joinpath("NotoSansCJK-Regular.ttc"))


def render_pdf(notice: Notice) -> bytes:
    """CPU-bound (font subsetting): call it off the event loop."""
    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font(FONT, fname=_font_path(), collection_font_number=_SIMPLIFIED_CHINESE)
    pdf.set_title(f"{notice.title} {notice.reference}")
    pdf.set_lang("zh-CN")
    pdf.add_page()

    pdf.set_font(FONT, size=20)
    pdf.cell(0, 12, notice.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    pdf.cell(0, 7, notice.reference, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT, size=10.5)
    for label, value in (
        ("受检场所", notice.site_name),
        ("地址", notice.site_address),
        ("场所负责人", notice.site_responsible),
        ("所属村委会", notice.village),
        ("检查组", notice.group),
        ("检查人员", "、".join(notice.inspectors)),
        ("检查时间", notice.inspected_at),
    ):
        pdf.cell(26, 6.5, f"{label}:")
        pdf.multi_cell(0, 6.5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.multi_cell(0, 6.5, notice.intro, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    pdf.set_font(FONT, size=9)
    heading = FontFace(fill_color=(235, 235, 235))
    with pdf.table(col_widths=_COLUMNS, headings_style=heading, line_height=5) as table:
        table.row(
            ["序号", "隐患描述", "类别", "等级", "整改要求", "依据", "整改期限", "整改责任人"]
        )
        for line in notice.lines:
            description = line.description + ("(复发)" if line.recurrence else "")
            table.row(
                [
                    str(line.number),
                    description,
                    line.category,
                    line.severity,
                    line.action,
                    line.basis,
                    line.deadline,
                    line.responsible,
                ]
            )
    pdf.set_font(FONT, size=10.5)
    if notice.has_major:
        pdf.ln(1)
        pdf.multi_cell(0, 6.5, notice.major_note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / len(notice.signatures)
    for signature in notice.signatures:
        pdf.cell(width, 7, f"{signature}:")
    pdf.ln(14)
    for _ in notice.signatures:
        pdf.cell(width, 7, "日期:    年   月   日")
    pdf.ln(16)
    pdf.cell(
        0, 7, f"{notice.township}安全生产循环互查检查组", align="R", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.cell(0, 7, notice.issued_on, align="R", new_x="LMARGIN", new_y="NEXT")
    _seal_and_status(pdf, notice)
    _receipt(pdf, notice)
    return bytes(pdf.output())


def _seal_and_status(pdf: FPDF, notice: Notice) -> None:
    """The township's seal area (right) and the status page's QR code (left)."""
    if pdf.will_page_break(_QR_MM + 10):
        pdf.add_page()
    top = pdf.get_y() + 2
    seal_x = pdf.w - pdf.r_margin - 40
    pdf.set_draw_color(150, 150, 150)
    pdf.set_dash_pattern(dash=1, gap=1)
    pdf.ellipse(seal_x, top, 38, 38)
    pdf.set_dash_pattern()
    pdf.set_draw_color(0, 0, 0)
    pdf.set_font(FONT, size=8)
    pdf.set_text_color(150, 150, 150)
    pdf.set_xy(seal_x, top + 16)
    pdf.cell(38, 5, notice.seal, align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.image(io.BytesIO(qr_png(notice.status_url)), x=pdf.l_margin, y=top, w=_QR_MM)
    pdf.set_xy(pdf.l_margin + _QR_MM + 3, top + 4)
    pdf.multi_cell(80, 4.5, f"{notice.status_note}\n{notice.status_url}")
    pdf.set_y(top + 40)


def _receipt(pdf: FPDF, notice: Notice) -> None:
    """The tear-off receipt (回执) the place signs and hands back."""
    if pdf.will_page_break(60):
        pdf.add_page()
    pdf.set_font(FONT, size=8)
    pdf.cell(0, 8, notice.cut_line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=14)
    pdf.cell(0, 9, notice.receipt_title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    pdf.cell(0, 6, notice.reference, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10.5)
    pdf.multi_cell(0, 6.5, notice.receipt, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / len(notice.receipt_signatures)
    for signature in notice.receipt_signatures:
        pdf.cell(width, 7, f"{signature}:")
    pdf.ln(8)
