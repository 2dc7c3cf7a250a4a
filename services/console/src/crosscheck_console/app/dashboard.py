"""The leaders' dashboard: one campaign's (or every campaign's) figures in total and
broken down by village, group, round and category, from the ledgers service; for the
county roles every township side by side, and one township's breakdowns on request.
Each breakdown is one call; the calls run together."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from crosscheck_console.adapters.services import Apis
from crosscheck_contracts.events.hazards import CATEGORY_LABELS, SEVERITY_LABELS, STATUS_LABELS
from crosscheck_platform.auth import COUNTY_ROLES, Principal
from crosscheck_platform.i18n import Language, translate

TOWNSHIP_BREAKDOWNS = ("village", "group", "round", "category")
COUNTY_BREAKDOWNS = ("township", "category")
LEDGERS = ("base", "hazards", "responsibility")


@dataclass(frozen=True)
class Breakdown:
    by: str
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class Dashboard:
    place: str
    county_wide: bool
    township: str | None
    campaign: dict[str, Any] | None
    campaigns: list[dict[str, Any]]
    total: dict[str, Any]
    breakdowns: list[Breakdown] = field(default_factory=list)

    def query(self) -> dict[str, str]:
        """The ledgers' filters for what is shown, so a download is of what is shown."""
        found: dict[str, str] = {}
        if self.campaign is not None:
            found["campaign_id"] = self.campaign["campaign_id"]
        if self.county_wide and self.township is not None:
            found["township"] = self.township
        return found

    def link_query(self) -> str:
        """The same as the console's own query string (`?campaign=…&township=…`)."""
        pairs = [("campaign" if k == "campaign_id" else k, v) for k, v in self.query().items()]
        return ("?" + urlencode(pairs)) if pairs else ""


async def dashboard(
    apis: Apis,
    principal: Principal,
    token: str,
    lang: Language,
    *,
    campaign_id: str | None = None,
    township: str | None = None,
) -> Dashboard:
    county_wide = principal.role in COUNTY_ROLES
    code = township if county_wide else principal.township
    campaigns: list[dict[str, Any]] = []
    place = principal.county
    if code is not None:
        named, listed = await asyncio.gather(
            apis.json("registry", f"/v1/townships/{code}", token, lang),
            apis.json("rotation", f"/v1/townships/{code}/campaigns", token, lang),
        )
        place, campaigns = str(named["name"]), list(listed)
    live = [c for c in campaigns if not c.get("cancelled")]
    campaign = next((c for c in live if c["campaign_id"] == campaign_id), None)
    if campaign is None and campaign_id is None and not county_wide:
        campaign = live[0] if live else None
    shown = Dashboard(place, county_wide, code, campaign, live, {})
    dimensions = COUNTY_BREAKDOWNS if code is None else TOWNSHIP_BREAKDOWNS
    answers = await asyncio.gather(
        *(
            apis.json(
                "ledgers",
                "/v1/figures",
                token,
                lang,
                params={**shown.query(), "by": by, "lang": lang},
            )
            for by in dimensions
        )
    )
    if code is None:
        place = await _county_name(apis, answers[0]["items"], token, lang) or place
    return Dashboard(
        place,
        county_wide,
        code,
        campaign,
        live,
        answers[0]["total"],
        [
            Breakdown(
                by, _ordered(by, [_named(by, r, lang, campaign is not None) for r in a["items"]])
            )
            for by, a in zip(dimensions, answers, strict=True)
        ],
    )


def _ordered(by: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Categories by how many hazards each had, most first; the rest as the ledgers list them."""
    return sorted(rows, key=lambda r: -int(r["hazards"])) if by == "category" else rows


def _named(by: str, row: dict[str, Any], lang: Language, one_campaign: bool) -> dict[str, Any]:
    """Rows by name: a round of the one campaign shown as 第 n 轮, and a slice whose name
    the ledgers do not know yet shown as such rather than by its id."""
    label = row["label"]
    if by == "round" and one_campaign and "#" in row["key"]:
        label = translate("console.camp.round", lang, n=row["key"].rsplit("#", 1)[1])
    elif label == row["key"] and by != "category":
        label = translate("console.dash.unnamed", lang)
    return {**row, "label": label}


async def _county_name(
    apis: Apis, townships: list[dict[str, Any]], token: str, lang: str
) -> str | None:
    """The county's name as the registry knows it, from any of its townships."""
    if not townships:
        return None
    found = await apis.json("registry", f"/v1/townships/{townships[0]['key']}", token, lang)
    name = found.get("county_name")
    return str(name) if name else None


async def ledger_file(
    apis: Apis, token: str, lang: str, name: str, query: dict[str, str]
) -> tuple[bytes, str]:
    """One ledger as CSV, or the three in one workbook (`ledgers.xlsx`), as the ledgers
    service exports them for this user."""
    path = "/v1/exports/ledgers.xlsx" if name == "ledgers.xlsx" else f"/v1/exports/{name}"
    answer = await apis.call("ledgers", "GET", path, token, lang, params={**query, "lang": lang})
    return answer.content, answer.headers.get("content-type", "application/octet-stream")


@dataclass(frozen=True)
class HazardList:
    """The hazards behind one row of the dashboard: the hazard list's rows, overdue
    first, then the open ones, then the closed."""

    title: str
    total: int
    rows: list[dict[str, Any]]


DRILL = {"village": "village_id", "group": "group_id", "round": "round_no", "category": "category"}


async def hazard_list(
    apis: Apis,
    token: str,
    lang: Language,
    *,
    by: str,
    key: str,
    query: dict[str, str],
) -> HazardList:
    params: dict[str, str | int] = {**query, "limit": 1000, "lang": lang}
    params[DRILL[by]] = int(key.rsplit("#", 1)[-1]) if by == "round" else key
    page = await apis.json("ledgers", "/v1/ledgers/hazards", token, lang, params=params)
    rows: list[dict[str, Any]] = [_shown(r, lang) for r in page["items"]]
    rows.sort(
        key=lambda r: (not r.get("overdue"), r.get("state") == "verified", r["found_at"] or "")
    )
    return HazardList(_title(by, key, rows, lang), int(page["total"]), rows)


def _title(by: str, key: str, rows: list[dict[str, Any]], lang: Language) -> str:
    first = rows[0] if rows else {}
    if by == "round":
        return translate("console.camp.round", lang, n=key.rsplit("#", 1)[-1])
    if by == "category":
        return label(CATEGORY_LABELS, key, lang)
    name = first.get("village_name" if by == "village" else "group_name")
    return str(name) if name else translate("console.dash.unnamed", lang)


def label(labels: dict[str, tuple[str, str]], code: str | None, lang: Language) -> str:
    if code is None:
        return ""
    zh, en = labels.get(code, (code, code))
    return en if lang == "en" else zh


SHANGHAI = ZoneInfo("Asia/Shanghai")


def _shown(row: dict[str, Any], lang: Language) -> dict[str, Any]:
    """A hazard row with its words in the user's language and its deadline as the
    township's calendar date."""
    deadline = row.get("deadline")
    return {
        **row,
        "category_label": label(CATEGORY_LABELS, row.get("category"), lang),
        "severity_label": label(SEVERITY_LABELS, row.get("severity"), lang),
        "state_label": label(STATUS_LABELS, row.get("state") or "found", lang),
        "deadline_date": (
            datetime.fromisoformat(deadline).astimezone(SHANGHAI).date().isoformat()
            if deadline
            else ""
        ),
    }
