"""Campaign pages: the list, launch, schedule, and a campaign with every round's plan
as a table by name. Each page reads the plan once and the registry's staff and places
once (paged by 500), never one call per row."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from crosscheck_console.adapters.services import Apis
from crosscheck_console.domain.plan import RoundTable, names, round_dates, round_table


@dataclass(frozen=True)
class CampaignView:
    plan: dict[str, Any]
    staff: dict[str, str]
    rounds: list[RoundTable]


# Forming groups and planning every round is the rotation's heavy work: seconds alone,
# longer on a loaded machine. A person waits for it rather than see a timeout.
PLANNING_SECONDS = 300


async def listing(apis: Apis, township: str, token: str, lang: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await apis.json(
        "rotation", f"/v1/townships/{township}/campaigns", token, lang
    )
    return found


async def launch(apis: Apis, township: str, token: str, lang: str, body: dict[str, Any]) -> str:
    answer = await apis.call(
        "rotation",
        "POST",
        f"/v1/townships/{township}/campaigns",
        token,
        lang,
        json=body,
        timeout=PLANNING_SECONDS,
    )
    return str(answer.json()["campaign_id"])


async def schedule(apis: Apis, township: str, campaign_id: str, token: str, lang: str) -> None:
    path = f"/v1/townships/{township}/campaigns/{campaign_id}/schedule"
    await apis.call("rotation", "POST", path, token, lang, json={}, timeout=PLANNING_SECONDS)


async def view(
    apis: Apis, township: str, campaign_id: str, token: str, lang: str, only: int | None = None
) -> CampaignView:
    base = f"/v1/townships/{township}"
    plan, staff, sites = await asyncio.gather(
        apis.json("rotation", f"{base}/campaigns/{campaign_id}", token, lang),
        apis.all_pages("registry", f"{base}/staff", token, lang, status="all"),
        apis.all_pages("registry", f"{base}/sites", token, lang, status="all"),
    )
    people = names(staff)
    places = {s["id"]: s for s in sites}
    rounds = [
        round_table(
            plan,
            r["round_no"],
            people,
            places,
            round_dates(plan["starts_on"], plan["ends_on"], plan["rounds"], r["round_no"]),
        )
        for r in plan["schedule"]
        if only is None or r["round_no"] == only
    ]
    return CampaignView(plan, people, rounds)


async def change_groups(
    apis: Apis, township: str, campaign_id: str, token: str, lang: str, body: dict[str, Any]
) -> None:
    """Move, swap or replace a leader; the rotation plans the rounds from `from_round`
    again and re-checks them (409/422 with the causes and the ways out when it cannot)."""
    path = f"/v1/townships/{township}/campaigns/{campaign_id}/groups/change"
    await apis.call("rotation", "POST", path, token, lang, json=body, timeout=PLANNING_SECONDS)
