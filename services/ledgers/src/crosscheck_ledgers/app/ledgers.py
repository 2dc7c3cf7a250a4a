"""Use cases of the read side: whole ledgers for export, figures in every breakdown,
calibration with names."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from crosscheck_ledgers.adapters import export, views
from crosscheck_ledgers.adapters.sheets import (
    HAZARD_SHEET,
    RESPONSIBILITY_SHEET,
    SUMMARY_SHEET,
    Sheet,
    base_sheet,
    summary_rows,
)
from crosscheck_ledgers.adapters.views import HazardFilter, Page, Scope, SiteFilter
from crosscheck_ledgers.domain.calibration import calibrate
from crosscheck_ledgers.domain.figures import Dimension, Figures
from crosscheck_platform.db import Database

EXPORT_PAGE = 5000
LEDGERS = ("base", "hazards", "responsibility", "summary")


async def all_hazards(
    db: Database, scope: Scope, f: HazardFilter, as_of: datetime
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    while True:
        page, total = await views.hazards(db, scope, f, as_of, Page(EXPORT_PAGE, len(rows)))
        rows += page
        if not page or len(rows) >= total:
            return rows


async def all_sites(db: Database, scope: Scope, f: SiteFilter) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    while True:
        page, total = await views.base_list(db, scope, f, Page(EXPORT_PAGE, len(rows)))
        rows += page
        if not page or len(rows) >= total:
            return rows


async def figure_sections(
    db: Database,
    scope: Scope,
    as_of: datetime,
    campaign_id: str | None,
    lang: str,
) -> list[tuple[str, list[Figures]]]:
    """The total, then each breakdown (townships only when several are in scope)."""
    sections: list[tuple[str, list[Figures]]] = [
        ("total", await views.figures(db, scope, as_of, by=None, campaign_id=campaign_id))
    ]
    dimensions = [d for d in Dimension if d is not Dimension.TOWNSHIP or scope.township is None]
    for dimension in dimensions:
        rows = await views.figures(
            db, scope, as_of, by=dimension, campaign_id=campaign_id, lang=lang
        )
        sections.append((dimension.value, rows))
    return sections


def _rounds(sites: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return sorted({(r["campaign_id"], r["round_no"]) for s in sites for r in s["rounds"]})


async def sheet_rows(
    db: Database,
    ledger: str,
    scope: Scope,
    as_of: datetime,
    campaign_id: str | None,
    lang: str,
) -> tuple[Sheet, list[dict[str, Any]]]:
    if ledger == "base":
        sites = await all_sites(db, scope, SiteFilter(campaign_id=campaign_id))
        names = await views.township_names(db, {s["township"] for s in sites})
        named = [s | {"township_name": names.get(s["township"])} for s in sites]
        return base_sheet(_rounds(sites), lang), named
    if ledger in ("hazards", "responsibility"):
        rows = await all_hazards(db, scope, HazardFilter(campaign_id=campaign_id), as_of)
        return (HAZARD_SHEET if ledger == "hazards" else RESPONSIBILITY_SHEET), rows
    sections = await figure_sections(db, scope, as_of, campaign_id, lang)
    return SUMMARY_SHEET, summary_rows(sections, lang)


async def workbook(
    db: Database, scope: Scope, as_of: datetime, campaign_id: str | None, lang: str
) -> bytes:
    """Summary first (what leaders read), then the three ledgers."""
    order = ("summary", "base", "hazards", "responsibility")
    sheets = [await sheet_rows(db, ledger, scope, as_of, campaign_id, lang) for ledger in order]
    names = {r.get("township_name") for sheet, rows in sheets[1:] for r in rows}
    return export.xlsx(sheets, lang, names.pop() if len(names) == 1 else None)


async def calibration(db: Database, scope: Scope, campaign_id: str | None) -> dict[str, Any]:
    result = calibrate(await views.visits(db, scope, campaign_id))
    groups = await views.group_names(db, scope)
    sites = await views.site_names(db, scope)
    body = asdict(result)
    for row in body["groups"]:
        row["group_name"] = groups.get(row["group_id"])
    for row in body["missed"]:
        row["site_name"] = sites.get(row["site_id"])
        row["earlier_group_name"] = groups.get(row["earlier_group_id"])
        row["later_group_name"] = groups.get(row["later_group_id"])
    return body
