"""The import's size limits over a real socket (uvicorn serving the app) on the real
stack: a body past the limit is refused with 413 while it is sent, with or without a
declared length; a workbook bomb and a file too long are refused with 413 in the
caller's language; nothing is written."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from crosscheck_registry.adapters.upload_limits import MAX_ROWS, MAX_UPLOAD_BYTES
from crosscheck_scenarios.registry import Scenario
from crosscheck_testing.http_wire import served, stream_request

from ..workbooks import SHEET, archive, big_cell_sheet, parts_of, villages, workbook
from .conftest import XLSX, Registry

pytestmark = pytest.mark.infra

CHUNK = 256 * 1024


def csv_chunks(total: int) -> Iterator[bytes]:
    """A CSV body of about `total` bytes, made as it is sent."""
    yield "村委会名称,村委会代码\n".encode()
    line = "大庄村委会,532327101201\n".encode()
    block = line * (CHUNK // len(line))
    for _ in range(total // len(block)):
        yield block


async def test_a_body_past_the_limit_is_refused_while_it_is_sent(
    registry: Registry, scenario: Scenario
) -> None:
    township = scenario.township_code
    await registry.setup_township(scenario, villages=False)
    before = await registry.event_count()
    path = f"/v1/townships/{township}/import"
    headers = registry.token(township=township) | {"Content-Type": "text/csv"}
    async with served(registry.app) as (host, port):
        declared = await stream_request(
            host,
            port,
            path,
            headers | {"Content-Length": str(MAX_UPLOAD_BYTES + 1), "Accept-Language": "en"},
            [],
            chunked=False,
        )
        assert declared.status == 413
        assert declared.body_bytes_sent == 0
        assert json.loads(declared.body)["error"]["message"] == (
            "The uploaded file is larger than the 20 MB limit."
        )

        total = 3 * MAX_UPLOAD_BYTES
        chunked = await stream_request(host, port, path, headers, csv_chunks(total), chunked=True)
        assert chunked.status == 413, chunked.body
        assert not chunked.body_exhausted
        assert chunked.body_bytes_sent < total
        error = json.loads(chunked.body)["error"]
        assert (error["code"], error["message"]) == ("too_large", "上传的文件超过 20 MB 的上限")
        received = error["detail"]["received_bytes"]
        assert MAX_UPLOAD_BYTES < received <= MAX_UPLOAD_BYTES + 1024 * 1024
    assert await registry.event_count() == before


async def test_a_workbook_bomb_and_a_file_too_long_are_refused(
    registry: Registry, scenario: Scenario
) -> None:
    township = scenario.township_code
    await registry.setup_township(scenario, villages=False)
    before = await registry.event_count()

    bomb = archive(parts_of(workbook(villages(3))) | {SHEET: big_cell_sheet(200)})
    assert len(bomb) < 1024 * 1024
    refused = await registry.upload(township, bomb, dry_run=True)
    assert refused.status_code == 413
    assert refused.json()["error"] == {
        "code": "too_large",
        "message": "工作簿解压后超过 64 MB 的上限,请删除图片、多余的工作表和格式后重试",
        "detail": {"limit_mb": "64"},
    }
    admin = registry.token(township=township)
    in_english = await registry.upload(township, bomb, headers=admin | {"Accept-Language": "en"})
    assert in_english.status_code == 413
    assert in_english.json()["error"]["message"].startswith("Unpacked, the workbook is larger")

    too_long = "村委会名称,村委会代码\n" + "大庄村委会,532327101201\n" * MAX_ROWS
    refused_csv = await registry.upload(township, too_long.encode(), content_type="text/csv")
    assert refused_csv.status_code == 413
    assert refused_csv.json()["error"]["message"] == "表格超过 20000 行的上限,请分批导入"
    assert await registry.event_count() == before

    # The reference workbook still imports (as it did before the limits).
    imported = await registry.upload(township, scenario.to_xlsx(), content_type=XLSX)
    assert imported.status_code == 200, imported.text
    assert imported.json()["applied"]
