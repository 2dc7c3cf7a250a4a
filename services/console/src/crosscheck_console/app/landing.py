"""The landing page's figures: the township's latest campaign (places inspected, hazards
found, % rectified, open, overdue), or every township of the county side by side."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from crosscheck_console.adapters.services import Apis
from crosscheck_platform.auth import COUNTY_ROLES, Principal


@dataclass(frozen=True)
class Landing:
    place: str
    campaign: dict[str, Any] | None
    figures: dict[str, Any] | None
    townships: list[dict[str, Any]]


async def landing(apis: Apis, principal: Principal, token: str, lang: str) -> Landing:
    if principal.role in COUNTY_ROLES:
        county = await apis.json("ledgers", "/v1/figures", token, lang, params={"by": "township"})
        return Landing(principal.county, None, county["total"], county["items"])
    code = principal.township
    township, campaigns = await asyncio.gather(
        apis.json("registry", f"/v1/townships/{code}", token, lang),
        apis.json("rotation", f"/v1/townships/{code}/campaigns", token, lang),
    )
    live = [c for c in campaigns if not c.get("cancelled")]
    campaign = live[0] if live else None
    figures = None
    if campaign is not None:
        answer = await apis.json(
            "ledgers", "/v1/figures", token, lang, params={"campaign_id": campaign["campaign_id"]}
        )
        figures = answer["total"]
    return Landing(township["name"], campaign, figures, [])
