"""An inventory file past what an import may hold is refused before it is unpacked or
parsed in full: zip bombs (honest about their size or not), sheets claiming a million
rows or ten thousand columns, too many parts, DTDs; CSV files too long or too wide.
Memory is measured as the bytes the census inflated and Python's peak allocations."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from collections.abc import Iterator

import pytest

from crosscheck_registry.adapters.spreadsheets import read_upload
from crosscheck_registry.adapters.upload_limits import (
    MAX_CELLS_PER_ROW,
    MAX_MEMBER_BYTES,
    MAX_ROWS,
    SpreadsheetTooLarge,
)
from crosscheck_registry.adapters.workbook_census import (
    MAIN,
    UnreadableWorkbook,
    WorkbookCensus,
)
from crosscheck_registry.domain.importing.tables import TableKind
from crosscheck_scenarios.registry import reference_scenario

from ..workbooks import (
    SHEET,
    SHEET_START,
    Part,
    archive,
    big_cell_sheet,
    inflated_size,
    part,
    parts_of,
    repeated_part,
    villages,
    workbook,
)

MB = 1024 * 1024
BOMB_MB = 200
# Millions of one-cell rows: openpyxl would build a tuple for each.
TINY_ROW = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'


@pytest.fixture(scope="module")
def base() -> dict[str, Part]:
    return parts_of(workbook(villages(3)))


@pytest.fixture(scope="module")
def big_cell() -> Part:
    return big_cell_sheet(BOMB_MB)


def census_of(data: bytes) -> tuple[WorkbookCensus, Exception | None, int]:
    """The census taken (its counters), what it raised, and the peak of Python's
    allocations meanwhile."""
    census = WorkbookCensus()
    tracemalloc.start()
    try:
        census.take(data)
        raised = None
    except (SpreadsheetTooLarge, UnreadableWorkbook) as error:
        raised = error
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return census, raised, peak


def refusal(data: bytes) -> SpreadsheetTooLarge:
    """What reading `data` as an upload is refused with."""
    with pytest.raises(SpreadsheetTooLarge) as refused:
        read_upload(data)
    return refused.value


def test_the_crafted_bomb_is_real(big_cell: Part) -> None:
    assert len(big_cell.deflated) < MB
    assert inflated_size(big_cell) == big_cell.size > BOMB_MB * MB


def test_a_bomb_declaring_its_size_is_refused_before_anything_is_inflated(
    base: dict[str, Part], big_cell: Part
) -> None:
    data = archive(base | {SHEET: big_cell})
    assert len(data) < MB
    census, raised, peak = census_of(data)
    assert isinstance(raised, SpreadsheetTooLarge)
    assert raised.key == "registry.import.workbook_too_large"
    assert (census.inflated, raised.inflated_bytes) == (0, 0)
    assert peak < 4 * MB
    assert refusal(data).params == {"limit_mb": "64"}


def test_a_bomb_lying_about_its_size_inflates_no_more_than_it_claims(
    base: dict[str, Part], big_cell: Part
) -> None:
    data = archive(base | {SHEET: big_cell.lying(MB)})
    census, raised, peak = census_of(data)
    assert isinstance(raised, UnreadableWorkbook)  # its content fails its checksum
    assert census.inflated <= MB + 64 * 1024
    assert peak < 4 * MB
    assert [i.key for i in read_upload(data).issues] == ["registry.import.unreadable"]


def test_rows_are_counted_as_they_are_inflated(base: dict[str, Part]) -> None:
    block = TINY_ROW * (MB // len(TINY_ROW))
    start, end = (SHEET_START + "<sheetData>").encode(), b"</sheetData></worksheet>"
    rows = repeated_part(start, block, BOMB_MB * MB // len(block) + 1, end)
    assert rows.size > BOMB_MB * MB
    # Claiming 30 MB it passes the size and packing checks; its rows give it away.
    census, raised, peak = census_of(archive(base | {SHEET: rows.lying(30 * MB)}))
    assert isinstance(raised, SpreadsheetTooLarge)
    assert raised.key == "registry.import.too_many_rows"
    assert census.inflated < 2 * MB
    assert peak < 4 * MB


def test_a_part_packed_like_a_bomb_is_refused(base: dict[str, Part]) -> None:
    # 8 MB of blanks: within the size limits, but packed a thousand times smaller.
    blank = part(b" " * (8 * MB))
    refused = refusal(archive(base | {"xl/media/blank.bin": blank}))
    assert (refused.key, refused.params) == (
        "registry.import.workbook_abnormal",
        {"reason": "compression_ratio"},
    )


def test_too_many_parts_are_refused_before_the_table_of_contents_is_read(
    base: dict[str, Part],
) -> None:
    many = {f"xl/media/image{n}.png": part(b"\x89PNG") for n in range(300)}
    for zip64_end in (False, True):
        refused = refusal(archive(base | many, zip64_end=zip64_end))
        assert refused.params == {"reason": "members"}
    # Ended by zip64 records, as some writers do, a small workbook reads as any other.
    [table] = read_upload(archive(base, zip64_end=True)).tables
    assert len(table.rows) == 2


def sheet(rows: str, before_rows: str = "") -> Part:
    return part(f"{SHEET_START}{before_rows}<sheetData>{rows}</sheetData></worksheet>".encode())


def text_cells(*texts: str) -> str:
    return "".join(f'<c t="inlineStr"><is><t>{text}</t></is></c>' for text in texts)


def cells(count: int) -> str:
    return text_cells(*map(str, range(count)))


def test_rows_numbered_past_the_limit_are_refused_however_few(base: dict[str, Part]) -> None:
    # Two rows, the second numbered 1,048,576: openpyxl would pad a million rows.
    far = sheet(f'<row r="1">{cells(2)}</row><row r="1048576">{cells(2)}</row>')
    refused = refusal(archive(base | {SHEET: far}))
    assert (refused.key, refused.params) == ("registry.import.too_many_rows", {"limit": MAX_ROWS})


def test_a_sheet_is_counted_whatever_its_name_and_however_it_starts(
    base: dict[str, Part],
) -> None:
    """openpyxl finds sheets through the workbook's relations, under any name; the
    census tells XML by content (its first non-blank byte), wherever that is."""
    relations = "xl/_rels/workbook.xml.rels"
    with zipfile.ZipFile(io.BytesIO(archive(base))) as book:
        renamed = book.read(relations).replace(b"worksheets/sheet1.xml", b"worksheets/data.bin")
    others = {name: p for name, p in base.items() if name not in (SHEET, relations)}
    start = " " * (100 * 1024) + f'<worksheet xmlns="{MAIN}"><sheetData>'
    header = f'<row r="1">{text_cells("村委会名称", "村委会代码")}</row>'

    def hidden(rows: str) -> bytes:
        sheet_part = part(f"{start}{header}{rows}</sheetData></worksheet>".encode())
        return archive(others | {relations: part(renamed), "xl/worksheets/data.bin": sheet_part})

    [table] = read_upload(
        hidden(f'<row r="2">{text_cells("大庄村委会", "532327101201")}</row>')
    ).tables
    assert len(table.rows) == 1  # openpyxl does read it
    refused = refusal(hidden(f'<row r="1048576">{cells(2)}</row>'))
    assert refused.key == "registry.import.too_many_rows"


def test_a_row_with_too_many_cells_is_refused(base: dict[str, Part]) -> None:
    wide = sheet(f'<row r="1">{cells(2)}</row><row r="2">{cells(MAX_CELLS_PER_ROW + 1)}</row>')
    refused = refusal(archive(base | {SHEET: wide}))
    assert (refused.key, refused.params) == (
        "registry.import.row_too_wide",
        {"row": 2, "limit": MAX_CELLS_PER_ROW},
    )


def test_a_sheet_claiming_to_span_every_row_and_column_reads_as_what_it_holds(
    base: dict[str, Part],
) -> None:
    # openpyxl pads every row, and the sheet, to the sheet's `dimension` record.
    header = text_cells("村委会名称", "村委会代码")
    village = text_cells("大庄村委会", "532327101201")
    claimed = sheet(
        f'<row r="1">{header}</row><row r="2">{village}</row>',
        before_rows='<dimension ref="A1:XFD1048576"/>',
    )
    upload = read_upload(archive(base | {SHEET: claimed}))
    [table] = upload.tables
    assert (table.kind, upload.issues) == (TableKind.VILLAGES, [])
    assert [row.cells for row in table.rows] == [
        {"村委会名称": "大庄村委会", "村委会代码": "532327101201"}
    ]


def test_a_part_with_a_dtd_is_unreadable(base: dict[str, Part]) -> None:
    laughs = part(
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        + f'<worksheet xmlns="{MAIN}">'.encode()
        + b"<sheetData><row><c><v>&lol2;</v></c></row></sheetData></worksheet>"
    )
    _, raised, _ = census_of(archive(base | {SHEET: laughs}))
    assert isinstance(raised, UnreadableWorkbook)
    assert "DTD" in str(raised)


def test_a_sheet_of_the_largest_size_allowed_passes_and_one_row_more_does_not(
    base: dict[str, Part],
) -> None:
    def rows(count: int) -> Part:
        return sheet(
            "".join(
                f'<row r="{n}">{text_cells(f"村{n}", str(n))}</row>' for n in range(1, count + 1)
            )
        )

    census, raised, _ = census_of(archive(base | {SHEET: rows(MAX_ROWS)}))
    assert (raised, census.cells) == (None, 2 * MAX_ROWS)
    _, raised, _ = census_of(archive(base | {SHEET: rows(MAX_ROWS + 1)}))
    assert isinstance(raised, SpreadsheetTooLarge)
    assert raised.key == "registry.import.too_many_rows"


def test_the_reference_workbook_passes_its_census() -> None:
    census, raised, _ = census_of(reference_scenario().to_xlsx())
    assert raised is None
    assert census.cells > 68 * 6 and 0 < census.inflated < MAX_MEMBER_BYTES


def csv_lines(rows: int) -> Iterator[str]:
    yield "村委会名称,村委会代码\n"
    for n in range(1, rows):
        yield f"第{n}村委会,532327101{n:03d}\n"


def test_csv_files_are_bounded_in_rows_and_fields() -> None:
    largest = read_upload("".join(csv_lines(MAX_ROWS)).encode())
    assert (len(largest.tables[0].rows), largest.issues) == (MAX_ROWS - 1, [])
    longer = refusal("".join(csv_lines(MAX_ROWS + 1)).encode())
    assert (longer.key, longer.params) == ("registry.import.too_many_rows", {"limit": MAX_ROWS})

    wide_line = "村委会名称,村委会代码\n大庄村委会,532327101201" + "," * MAX_CELLS_PER_ROW
    wider = refusal(wide_line.encode())
    assert (wider.key, wider.params["row"]) == ("registry.import.row_too_wide", 2)

    # A field past the CSV reader's own limit is an unreadable file, not a crash.
    huge_field = ('村委会名称,村委会代码\n"' + "x" * 200_000 + '",1\n').encode()
    assert [i.key for i in read_upload(huge_field).issues] == ["registry.import.unreadable"]
