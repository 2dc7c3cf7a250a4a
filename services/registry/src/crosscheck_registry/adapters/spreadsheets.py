"""An uploaded inventory file read into tables: CSV or XLSX, told apart by content (an
XLSX file is a zip archive). The file's format stays here; what the columns mean is
the domain's (importing/tables.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from crosscheck_registry.adapters.upload_limits import (
    MAX_CELLS_PER_ROW,
    MAX_ROWS,
    row_too_wide,
    too_many_rows,
)
from crosscheck_registry.adapters.workbook import read_workbook
from crosscheck_registry.domain.importing.issues import Issue
from crosscheck_registry.domain.importing.tables import Table, Upload, read_table
from crosscheck_registry.domain.values import clean_text


def _unreadable(sheet: str) -> Issue:
    return Issue(sheet, None, None, "registry.import.unreadable")


def _bounded_lines(content: str) -> Iterator[str]:
    """The text's lines, refused past MAX_ROWS or with more fields than a row may hold
    (counted on the raw line, before the CSV reader builds a list of them)."""
    for number, line in enumerate(io.StringIO(content), start=1):
        if number > MAX_ROWS:
            raise too_many_rows()
        if line.count(",") >= MAX_CELLS_PER_ROW:
            raise row_too_wide(number)
        yield line


def read_csv(data: bytes, sheet: str = "CSV") -> tuple[Table | None, list[Issue]]:
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            content = data.decode("gb18030")  # what Excel writes on Chinese Windows
        except UnicodeDecodeError:
            return None, [_unreadable(sheet)]
    try:
        return read_table(sheet, csv.reader(_bounded_lines(content)))
    except csv.Error:  # e.g. a field past the CSV reader's own limit
        return None, [_unreadable(sheet)]


def read_xlsx(data: bytes) -> tuple[list[Table], list[Issue]]:
    sheets = read_workbook(data)
    if sheets is None:
        return [], [_unreadable("XLSX")]
    tables: list[Table] = []
    issues: list[Issue] = []
    for title, lines in sheets:
        if not _has_content(lines):
            continue  # an empty extra sheet (Sheet2, Sheet3) is no problem
        table, found = read_table(title, lines)
        issues.extend(found)
        if table is not None:
            tables.append(table)
    return tables, issues


def _has_content(lines: Iterable[tuple[object, ...]]) -> bool:
    return any(clean_text(cell) for line in lines for cell in line)


def read_upload(data: bytes) -> Upload:
    """The file's tables and the problems found reading them. SpreadsheetTooLarge (413)
    when it holds more than an inventory may (upload_limits)."""
    if not data.strip():
        return Upload([], [Issue("", None, None, "registry.import.empty")])
    if data[:4] == b"PK\x03\x04":
        tables, issues = read_xlsx(data)
    else:
        table, issues = read_csv(data)
        tables = [table] if table is not None else []
    if not tables and not issues:
        issues = [Issue("", None, None, "registry.import.empty")]
    return Upload(tables, issues)
