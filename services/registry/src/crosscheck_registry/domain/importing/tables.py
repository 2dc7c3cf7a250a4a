"""Lines of cells into tables: which sheet holds what, which column is which.

Township spreadsheets often carry a title line above the header, a `*` marking required
columns, full-width spaces: all of that is accepted. Reading the file itself (CSV, XLSX,
encodings, size limits) is the adapters' (adapters/spreadsheets.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from crosscheck_registry.domain.importing.issues import Issue
from crosscheck_registry.domain.values import clean_text

HEADER_SEARCH_ROWS = 10


class TableKind(StrEnum):
    VILLAGES = "villages"
    SITES = "sites"
    STAFF = "staff"


# Canonical column -> other spellings seen on township sheets.
COLUMNS: dict[TableKind, dict[str, tuple[str, ...]]] = {
    TableKind.VILLAGES: {
        "村委会名称": ("村委会", "名称"),
        "村委会代码": ("区划代码", "统计用区划代码", "代码"),
    },
    TableKind.SITES: {
        "场所名称": ("名称",),
        "所属村委会": ("村委会", "所属村", "所在村委会"),
        "场所类型": ("类型", "场所类别"),
        "地址": ("详细地址", "场所地址"),
        "负责人": ("负责人姓名",),
        "联系电话": ("电话", "负责人电话", "手机号码", "联系方式"),
        "经度": (),
        "纬度": (),
    },
    TableKind.STAFF: {
        "姓名": (),
        "单位": ("所在单位", "工作单位"),
        "是否班子成员": ("班子成员", "是否党政班子成员"),
        "居住村": ("居住村委会", "家庭住址村"),
        "回避村": ("回避村委会",),
        "回避场所": (),
        "回避人员": ("回避同事", "不得同组人员", "回避同组人员"),
        "回避原因": (),
    },
}

REQUIRED: dict[TableKind, tuple[str, ...]] = {
    TableKind.VILLAGES: ("村委会名称", "村委会代码"),
    TableKind.SITES: ("场所名称", "所属村委会", "场所类型", "地址", "负责人"),
    TableKind.STAFF: ("姓名", "单位"),
}

# The column whose presence says what a sheet holds, tried in this order.
_MARKERS = (
    (TableKind.SITES, "场所名称"),
    (TableKind.STAFF, "姓名"),
    (TableKind.VILLAGES, "村委会代码"),
)


@dataclass(frozen=True)
class Row:
    number: int
    cells: dict[str, object]

    def get(self, column: str) -> object:
        return self.cells.get(column)


@dataclass(frozen=True)
class Table:
    sheet: str
    kind: TableKind
    rows: list[Row]


@dataclass(frozen=True)
class Upload:
    tables: list[Table]
    issues: list[Issue]


def _header_name(raw: object) -> str:
    return clean_text(raw).replace("*", "").replace(" ", "").strip()


def _canonical(kind: TableKind, header: str) -> str | None:
    for column, aliases in COLUMNS[kind].items():
        if header == column or header in aliases:
            return column
    return None


def _classify(headers: list[str]) -> TableKind | None:
    for kind, marker in _MARKERS:
        if marker in headers:
            return kind
    return None


def read_table(sheet: str, lines: Iterable[Sequence[object]]) -> tuple[Table | None, list[Issue]]:
    """One sheet: find the header within the first rows, map columns, collect rows."""
    rows = iter(enumerate(lines, start=1))
    kind: TableKind | None = None
    header_number, headers = 0, []
    for number, line in rows:
        headers = [_header_name(cell) for cell in line]
        kind = _classify(headers)
        if kind is not None:
            header_number = number
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if kind is None:
        return None, [Issue(sheet, None, None, "registry.import.unknown_sheet")]
    issues: list[Issue] = []
    columns: dict[int, str] = {}
    for index, header in enumerate(headers):
        column = _canonical(kind, header)
        if column is None:
            continue  # extra columns (序号, 备注, ...) are allowed and ignored
        if column in columns.values():
            issues.append(Issue(sheet, header_number, header, "registry.import.duplicate_column"))
        columns[index] = column
    for column in REQUIRED[kind]:
        if column not in columns.values():
            issues.append(Issue(sheet, header_number, column, "registry.import.missing_column"))
    if issues:
        # A sheet whose columns are wrong is refused whole; its rows are not read, so
        # the problem is reported once rather than on every row.
        return Table(sheet, kind, []), issues
    table_rows: list[Row] = []
    for number, line in rows:
        cells = {columns[i]: cell for i, cell in enumerate(line) if i in columns}
        if all(clean_text(cell) == "" for cell in cells.values()):
            continue
        table_rows.append(Row(number, cells))
    return Table(sheet, kind, table_rows), issues
