"""The rectification notice as PDF, with Noto Sans CJK SC embedded (subset) so that it
prints the same everywhere. The font comes from a PyPI package (SIL OFL)."""

from __future__ import annotations

from importlib.resources import files

from fpdf import FPDF
from fpdf.fonts import FontFace

from crosscheck_hazards.app.notice import Notice

FONT = "NotoSansSC"
_SIMPLIFIED_CHINESE = 2  # index of "Noto Sans CJK SC" in the OpenType collection
_COLUMNS = (10, 40, 20, 16, 48, 28, 18)  # mm; A4 minus margins is 180 mm


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
        table.row(["序号", "隐患描述", "类别", "等级", "整改要求", "整改期限", "整改责任人"])
        for line in notice.lines:
            description = line.description + ("(复发)" if line.recurrence else "")
            table.row(
                [
                    str(line.number),
                    description,
                    line.category,
                    line.severity,
                    line.action,
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
    return bytes(pdf.output())
