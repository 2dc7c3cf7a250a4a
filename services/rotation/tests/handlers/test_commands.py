"""The rotation's command handlers through the platform's unit of work, each test on the
in-memory store (no stack) and on PostgreSQL: the same commands, the same events."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

import pytest

from crosscheck_contracts.envelope import Tenant
from crosscheck_contracts.events import rotation as contract
from crosscheck_platform.errors import NotFound, StateConflict
from crosscheck_platform.eventstore import (
    CommandContext,
    ConcurrencyConflict,
    EventStore,
    StoredEvent,
)
from crosscheck_rotation.app import campaigns, housekeeping
from crosscheck_rotation.app.commands import (
    Cancel,
    ChangeGroups,
    CloseRound,
    Launch,
    Reform,
    Replan,
    Schedule,
)
from crosscheck_rotation.domain.changes import GroupChange
from crosscheck_rotation.domain.model import StaffMember
from crosscheck_rotation.domain.risk import Finding, Visited
from crosscheck_rotation.domain.roster_version import Roster
from crosscheck_scenarios.rotation import Township, township

WEIDE = CommandContext(tenant=Tenant(county="532327", township="532327102"))
OTHER = CommandContext(tenant=Tenant(county="532327", township="532327103"))


@pytest.fixture
def store_service() -> str:
    return "rotation"


@dataclass
class MemoryRoster:
    """The roster as the registry's events left it, for one township."""

    town: Township

    async def current(self, township: str) -> Roster:
        return Roster(await self.staff(township, active_only=True), dict(self.town.sites))

    async def as_recorded(self, township: str, version: str) -> Roster | None:
        now = await self.current(township)
        return now if now.version == version else None

    async def staff(self, township: str, *, active_only: bool) -> dict[str, StaffMember]:
        return {m.staff_id: m for m in self.town.staff}

    async def village_names(self, township: str) -> dict[str, str]:
        return dict(self.town.villages)

    async def site_names(self, township: str) -> dict[str, str]:
        return {s: f"场所{s}" for s in self.town.sites}

    async def township_names(self, county: str) -> dict[str, str]:
        return {"532327102": "维的乡"}

    async def visits(self, campaign_id: str) -> list[Visited]:
        return []

    async def findings(self, campaign_id: str) -> list[Finding]:
        return []


ROSTER = MemoryRoster(township(7, villages=4, places=12, staff=12, leadership=4, from_villages=0.3))


def launch(campaign_id: str = "c-1", rounds: int = 3) -> Launch:
    return Launch(
        campaign_id=campaign_id,
        name="2026年秋季循环互查",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 12, 31),
        rounds=rounds,
        groups=3,
        no_repeat_within_rounds=None,
        max_sites_per_zone=None,
        seed=11,
    )


def types(stored: list[StoredEvent]) -> list[str]:
    return [s.envelope.type.rsplit(".", 1)[-1] for s in stored]


async def test_launch_schedule_close_and_replan(event_store: EventStore) -> None:
    launched, _ = await campaigns.launch(event_store, ROSTER, WEIDE, launch())
    assert types(launched) == ["CampaignLaunched", "GroupsFormed"]
    scheduled = await campaigns.schedule(event_store, ROSTER, WEIDE, Schedule("c-1", seed=3))
    assert types(scheduled)[-1] == "RoundScheduled" and len(scheduled) >= 3
    closed = await campaigns.close_round(event_store, WEIDE, CloseRound("c-1", 1))
    assert types(closed) == ["RoundClosed"]
    replanned = await campaigns.replan(event_store, ROSTER, WEIDE, Replan("c-1", "人员调整"))
    assert "RoundReplanned" in types(replanned)
    replans = [s.event for s in replanned if isinstance(s.event, contract.RoundReplanned)]
    assert {r.round_no for r in replans} == {2, 3}
    history = await event_store.read("c-1")
    assert [s.version for s in history] == list(range(1, len(history) + 1))
    assert {s.envelope.township for s in history} == {WEIDE.tenant.township}


async def test_groups_change_before_the_plan_records_the_groups(event_store: EventStore) -> None:
    await campaigns.launch(event_store, ROSTER, WEIDE, launch())
    campaign, _ = await campaigns.load(event_store, "c-1", WEIDE.tenant.township)
    first, second = campaign.state.groups[0], campaign.state.groups[1]
    member = next(m for m in first.member_ids if m != first.leader_id)
    change = GroupChange("move", member, second.group_id, None)
    stored = await campaigns.change_groups(
        event_store, ROSTER, WEIDE, ChangeGroups("c-1", change, reason="调岗")
    )
    assert types(stored) == ["GroupsFormed"]
    again, _ = await campaigns.load(event_store, "c-1", WEIDE.tenant.township)
    moved_to = next(g for g in again.state.groups if g.group_id == second.group_id)
    assert member in moved_to.member_ids


async def test_refusals_record_nothing(event_store: EventStore) -> None:
    await campaigns.launch(event_store, ROSTER, WEIDE, launch())
    with pytest.raises(StateConflict):
        await campaigns.close_round(event_store, WEIDE, CloseRound("c-1", 1))
    await campaigns.schedule(event_store, ROSTER, WEIDE, Schedule("c-1", seed=3))
    with pytest.raises(StateConflict):
        await campaigns.reform(event_store, ROSTER, WEIDE, Reform("c-1", seed=4))
    with pytest.raises(StateConflict):
        await campaigns.close_round(event_store, WEIDE, CloseRound("c-1", 2))
    version = await event_store.stream_version("c-1")
    with pytest.raises(NotFound):
        await campaigns.close_round(event_store, OTHER, CloseRound("c-1", 1))
    assert await event_store.stream_version("c-1") == version


async def test_cancel_before_the_start(event_store: EventStore) -> None:
    await campaigns.launch(event_store, ROSTER, WEIDE, launch())
    stored = await housekeeping.cancel(
        event_store, WEIDE, Cancel("c-1", "上级通知暂停", date(2026, 9, 1))
    )
    assert types(stored) == ["CampaignCancelled"]
    with pytest.raises(StateConflict):
        await campaigns.schedule(event_store, ROSTER, WEIDE, Schedule("c-1"))


async def test_the_same_launch_twice_conflicts(event_store: EventStore) -> None:
    results = await asyncio.gather(
        campaigns.launch(event_store, ROSTER, WEIDE, launch()),
        campaigns.launch(event_store, ROSTER, WEIDE, launch()),
        return_exceptions=True,
    )
    assert sum(isinstance(r, tuple) for r in results) == 1
    assert sum(isinstance(r, ConcurrencyConflict) for r in results) == 1
    assert await event_store.stream_version("c-1") == 2
