"""Which groups may re-check a hazard: the group that found it, and the groups rotation
assigned to its zone in later rounds of the campaign (from the inventory tables)."""

from __future__ import annotations

from crosscheck_contracts.events.hazards import HazardFound
from crosscheck_platform.db import Database

_ELIGIBLE = """
SELECT EXISTS (
    SELECT 1 FROM campaign_groups g
    WHERE g.township = $1 AND g.campaign_id = $2 AND $3 = ANY(g.member_ids)
      AND (g.group_id = $4 OR g.group_id IN (
          SELECT later.group_id
          FROM round_sites found_round
          JOIN round_sites later
            ON later.township = found_round.township
           AND later.campaign_id = found_round.campaign_id
           AND later.zone_id = found_round.zone_id
           AND later.round_no > found_round.round_no
          WHERE found_round.township = $1 AND found_round.campaign_id = $2
            AND found_round.round_no = $5 AND found_round.site_id = $6))
)"""


async def may_verify(db: Database, township: str, found: HazardFound, staff_id: str) -> bool:
    """Whether `staff_id` belongs to a group that may re-check this hazard."""
    eligible = await db.fetchval(
        _ELIGIBLE,
        township,
        found.campaign_id,
        staff_id,
        found.group_id,
        found.round_no,
        found.site_id,
    )
    return bool(eligible)
