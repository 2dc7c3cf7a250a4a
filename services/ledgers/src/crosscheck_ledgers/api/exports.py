"""Exports: the whole workbook as XLSX, each ledger (or the summary) as CSV."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from crosscheck_ledgers.adapters import export
from crosscheck_ledgers.api.deps import AsOf, LangQuery, ScopeDep
from crosscheck_ledgers.api.ledgers import Campaign
from crosscheck_ledgers.app import ledgers
from crosscheck_platform.http import Runtime

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BINARY = {"schema": {"type": "string", "format": "binary"}}


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


router = APIRouter(prefix="/v1/exports", tags=["exports"])


@router.get(
    "/ledgers.xlsx",
    summary="The three ledgers and a summary, one sheet each",
    response_class=Response,
    responses={200: {"content": {XLSX: _BINARY}, "description": "The workbook."}},
)
async def workbook(
    runtime: Runtime,
    scope: ScopeDep,
    as_of: AsOf,
    lang: LangQuery = "zh",
    campaign_id: Campaign = None,
) -> Response:
    body = await ledgers.workbook(runtime.database, scope, as_of, campaign_id, lang)
    return Response(body, media_type=XLSX, headers=_attachment("ledgers.xlsx"))


@router.get(
    "/{ledger}.csv",
    summary="One ledger (or the summary) as CSV, UTF-8 with BOM",
    response_class=Response,
    responses={200: {"content": {"text/csv": _BINARY}, "description": "The ledger."}},
)
async def csv_file(
    ledger: Literal["base", "hazards", "responsibility", "summary"],
    runtime: Runtime,
    scope: ScopeDep,
    as_of: AsOf,
    lang: LangQuery = "zh",
    campaign_id: Campaign = None,
) -> Response:
    sheet, rows = await ledgers.sheet_rows(
        runtime.database, ledger, scope, as_of, campaign_id, lang
    )
    return Response(
        export.csv_bytes(sheet, rows, lang),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(f"{ledger}.csv"),
    )
