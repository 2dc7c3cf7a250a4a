"""A flat campaign the hazards service can take inspections for, for benchmarks.

`site_count` small restaurants in one zone, one group of two and `rounds` rounds that
each assign every place to that group: rounds × places inspections to record, each
against the same checklist, with no rotation rule in the way. `events` is what the
service must have read (from the registry's and the rotation's topics) before it takes
them; `inspection` is the body of one inspection command.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from crosscheck_contracts.base import Event
from crosscheck_contracts.events import (
    Assignment,
    Group,
    GroupsFormed,
    RoundScheduled,
    SiteRegistered,
    SiteType,
)
from crosscheck_hazards.adapters.checklist_data import standard_library

SITE_TYPE = SiteType.SMALL_RESTAURANT
GROUP_ID = "g-1"
LEADER_ID = "s-1"
STAFF_IDS = [LEADER_ID, "s-2"]
ZONE_ID = "z-1"


def site_id(n: int) -> str:
    return f"site-{n:04d}"


@dataclass(frozen=True)
class FlatCampaign:
    campaign_id: str
    rounds: int
    site_count: int

    @cached_property
    def items(self) -> list[str]:
        """The checklist every place is inspected against."""
        return list(standard_library().checklist_for(SITE_TYPE).item_ids)

    def events(self) -> list[Event]:
        sites = [site_id(n) for n in range(self.site_count)]
        events: list[Event] = [
            SiteRegistered(
                site_id=s,
                name=f"小餐馆{s}",
                village_id="v-1",
                site_type=SITE_TYPE,
                address="测试村1号",
                responsible_name="王建国",
            )
            for s in sites
        ]
        events.append(
            GroupsFormed(
                campaign_id=self.campaign_id,
                groups=[
                    Group(
                        group_id=GROUP_ID,
                        name="第一检查组",
                        leader_id=LEADER_ID,
                        member_ids=STAFF_IDS,
                        eligible_zone_ids=[ZONE_ID],
                    )
                ],
                seed=1,
            )
        )
        events += [
            RoundScheduled(
                campaign_id=self.campaign_id,
                round_no=r,
                assignments=[Assignment(group_id=GROUP_ID, zone_id=ZONE_ID, site_ids=sites)],
                seed=r,
                objective=0,
                checks=[],
            )
            for r in range(1, self.rounds + 1)
        ]
        return events

    def inspection(self, round_no: int, site: int, failed_item: str) -> dict[str, Any]:
        """The command recording that the group inspected place `site` in `round_no`
        and found one hazard, at `failed_item`."""
        return {
            "campaign_id": self.campaign_id,
            "round_no": round_no,
            "site_id": site_id(site),
            "group_id": GROUP_ID,
            "present_staff_ids": STAFF_IDS,
            "answers": [{"item_id": i, "passed": i != failed_item} for i in self.items],
        }
