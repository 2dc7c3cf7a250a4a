"""The inventory template a township fills in: one sheet per table, the header the import
reads (required columns marked with *), a note on each header and drop-downs where the
values are a fixed list. Written from the same column table the import reads with, so
the template and the import cannot disagree."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from crosscheck_registry.domain.importing.tables import COLUMNS, REQUIRED, TableKind
from crosscheck_registry.domain.values import SITE_TYPE_LABELS

SHEETS: tuple[tuple[TableKind, str], ...] = (
    (TableKind.VILLAGES, "村委会"),
    (TableKind.SITES, "场所"),
    (TableKind.STAFF, "人员"),
)

NOTES: dict[str, str] = {
    "村委会代码": "12位统计用区划代码,前9位为本乡镇代码",
    "所属村委会": "填写村委会名称,须与“村委会”表一致",
    "场所类型": "从下拉列表中选择",
    "联系电话": "手机11位,或座机如 0878-6123456",
    "经度": "可不填;WGS84 小数度",
    "纬度": "可不填;WGS84 小数度",
    "是否班子成员": "是 / 否;班子成员可任组长",
    "居住村": "本人居住的村委会名称(回避本村)",
    "回避村": "须回避的村委会名称,多个用顿号“、”分隔",
    "回避场所": "须回避的场所名称,多个用顿号“、”分隔",
    "回避人员": "不得与本人同组的人员姓名(亲属、上下级等),须在本表或已在册,多个用顿号“、”分隔",
}

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_LAST_ROW = 2000


def template_xlsx() -> bytes:
    workbook = Workbook()
    for index, (kind, title) in enumerate(SHEETS):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        assert sheet is not None
        sheet.title = title
        columns = list(COLUMNS[kind])
        for number, column in enumerate(columns, start=1):
            cell = sheet.cell(row=1, column=number)
            cell.value = f"*{column}" if column in REQUIRED[kind] else column
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
            if column in NOTES:
                cell.comment = Comment(NOTES[column], "Crosscheck")
            letter = get_column_letter(number)
            sheet.column_dimensions[letter].width = max(12, 3 * len(column) + 4)
            choices = _choices(column)
            if choices:
                valid = DataValidation(type="list", formula1=f'"{",".join(choices)}"')
                valid.add(f"{letter}2:{letter}{_LAST_ROW}")
                sheet.add_data_validation(valid)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _choices(column: str) -> list[str]:
    if column == "场所类型":
        return list(SITE_TYPE_LABELS.values())
    if column == "是否班子成员":
        return ["是", "否"]
    return []
