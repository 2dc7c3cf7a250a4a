"""Everything recording an inspection reads, in one statement.

The place, the round's plan for it (and whether the round is closed) and the campaign's
groups, the township's own checklist items, the latest closed hazard of each item at the
place (recurrence) and whether the inspection was already recorded. Each read was its
own round trip before; on this hardware a round trip costs the service more CPU (loopback
sends, wake-ups) than the query costs PostgreSQL, so one statement instead of six is most
of a command's read cost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from crosscheck_contracts.events.hazards import HazardCategory, Severity
from crosscheck_contracts.events.registry import GeoPoint, SiteType
from crosscheck_hazards.adapters.inventory import SiteRecord
from crosscheck_hazards.domain.assignment import RoundPlan
from crosscheck_hazards.domain.checklists import ChecklistItem, TownshipItem
from crosscheck_hazards.domain.inspection import SiteFacts
from crosscheck_hazards.domain.presence import PresenceRule
from crosscheck_platform.db import Database


@dataclass(frozen=True)
class InspectionFacts:
    site: SiteRecord | None
    plan: RoundPlan
    township_items: list[TownshipItem]
    closed_before: dict[str, str]
    """The latest closed hazard of the place for each checklist item."""
    recorded: bool
    """The service already holds an inspection with this id (its details row)."""
    presence_rule: PresenceRule = field(default_factory=PresenceRule)


# $1 township, $2 place, $3 campaign, $4 round, $5 inspection id.
_FACTS = """
SELECT s.site_id, s.village_id, s.site_type, s.closed, s.name, s.address, s.responsible_name,
    coalesce(s.lat, p.lat) AS lat, coalesce(s.lon, p.lon) AS lon,
    r.radius_m, r.required_for_major,
    (SELECT group_id FROM round_sites
      WHERE township = $1 AND campaign_id = $3 AND round_no = $4 AND site_id = $2)
      AS assigned_group_id,
    EXISTS (SELECT 1 FROM closed_rounds
             WHERE township = $1 AND campaign_id = $3 AND round_no = $4) AS round_closed,
    (SELECT coalesce(json_agg(json_build_array(group_id, member_ids, name)), '[]')
       FROM campaign_groups WHERE township = $1 AND campaign_id = $3) AS groups,
    (SELECT coalesce(json_agg(t ORDER BY t.added_at, t.item_id), '[]')
       FROM township_items t WHERE t.township = $1) AS township_items,
    (SELECT coalesce(json_object_agg(c.checklist_item_id, c.hazard_id), '{}')
       FROM (SELECT DISTINCT ON (checklist_item_id) checklist_item_id, hazard_id
               FROM hazard_index
              WHERE township = $1 AND site_id = $2 AND closed_at IS NOT NULL
              ORDER BY checklist_item_id, closed_at DESC) c) AS closed_before,
    EXISTS (SELECT 1 FROM inspection_details WHERE inspection_id = $5) AS recorded
FROM (SELECT 1) AS one
LEFT JOIN known_sites s ON s.township = $1 AND s.site_id = $2
LEFT JOIN site_positions p ON p.township = $1 AND p.site_id = $2
LEFT JOIN presence_rules r ON r.township = $1"""


def township_item(row: asyncpg.Record | dict[str, Any]) -> TownshipItem:
    return TownshipItem(
        item=ChecklistItem(
            item_id=row["item_id"],
            category=HazardCategory(row["category"]),
            check=row["check_text"],
            check_en=row["check_en"],
            hazard=row["hazard"],
            action=row["action"],
            severity=Severity(row["severity"]),
            basis=row.get("basis") or "",
        ),
        site_types=frozenset(SiteType(s) for s in row["site_types"]),
    )


async def township_items(db: Database, township: str) -> list[TownshipItem]:
    rows = await db.fetch(
        "SELECT * FROM township_items WHERE township = $1 ORDER BY added_at, item_id", township
    )
    return [township_item(r) for r in rows]


async def inspection_facts(
    db: Database,
    *,
    township: str,
    site_id: str,
    campaign_id: str,
    round_no: int,
    inspection_id: str,
) -> InspectionFacts:
    async with db.pool.acquire() as conn:
        row = await conn.fetchrow(_FACTS, township, site_id, campaign_id, round_no, inspection_id)
    assert row is not None  # the outer row always exists
    site = None
    if row["site_id"] is not None:
        site = SiteRecord(
            SiteFacts(
                site_id=row["site_id"],
                village_id=row["village_id"],
                site_type=SiteType(row["site_type"]),
                closed=row["closed"],
            ),
            row["name"],
            row["address"],
            row["responsible_name"],
            GeoPoint(lat=row["lat"], lon=row["lon"]) if row["lat"] is not None else None,
        )
    groups = json.loads(row["groups"])
    rule = PresenceRule()
    if row["radius_m"] is not None:
        rule = PresenceRule(row["radius_m"], row["required_for_major"])
    return InspectionFacts(
        presence_rule=rule,
        site=site,
        plan=RoundPlan(
            assigned_group_id=row["assigned_group_id"],
            group_members={g: frozenset(m) for g, m, _ in groups},
            group_names={g: name for g, _, name in groups},
            round_closed=row["round_closed"],
        ),
        township_items=[township_item(t) for t in json.loads(row["township_items"])],
        closed_before=json.loads(row["closed_before"]),
        recorded=row["recorded"],
    )
