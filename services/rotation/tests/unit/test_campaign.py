"""The Campaign aggregate's order of things, and mid-campaign changes of zones and groups."""

from __future__ import annotations

import json
from datetime import date

import pytest

from crosscheck_contracts.events import rotation as contract
from crosscheck_platform.errors import RuleViolation, StateConflict
from crosscheck_rotation.domain.campaign import Campaign
from crosscheck_rotation.domain.changes import refresh_groups, rezone
from crosscheck_rotation.domain.checker import check_round
from crosscheck_rotation.domain.model import Group, RotationProblem
from crosscheck_rotation.domain.planner import plan_campaign
from crosscheck_rotation.domain.recusal import eligible_zones
from crosscheck_rotation.domain.roster_version import Roster, from_facts

from .builders import member, problem, zone

ROSTER = "0" * 64


def _scheduled() -> tuple[Campaign, RotationProblem]:
    p = problem(
        {
            "g1": [member("a", "x", leader=True), member("b", "x")],
            "g2": [member("c", "y", leader=True)],
            "g3": [member("d", leader=True)],
        },
        [zone("x"), zone("y"), zone("z")],
        rounds=3,
    )
    campaign = Campaign.launch(
        "c-1",
        name="专项行动",
        starts_on=date(2025, 3, 1),
        ends_on=date(2025, 3, 31),
        rounds=3,
        zones=p.zones,
        rules=contract.RotationRules(balance_workload=True, reshuffle_members=False),
    )
    campaign.form_groups(
        p.groups,
        {g.group_id: eligible_zones(g, p.zones, p.staff) for g in p.groups},
        1,
        ROSTER,
    )
    plan = plan_campaign(p, None, seed=3)
    checks = {
        r.round_no: check_round(
            r.round_no, plan.rounds, p.zones, p.groups, p.staff, plan.no_repeat_within
        )
        for r in plan.rounds
    }
    campaign.schedule(plan, checks, ROSTER)
    return campaign, p


def test_events_rebuild_the_campaign_with_the_k_each_plan_was_made_for() -> None:
    campaign, _ = _scheduled()
    _, events = campaign.collect_pending()
    again = Campaign.rehydrate("c-1", events)
    assert again.version == 5 and sorted(again.state.plans) == [1, 2, 3]
    ks = {r.no_repeat_within for r in again.state.plans.values()}
    assert len(ks) == 1 and again.k_in_force() in ks and again.k_in_force() is not None
    assert again.state.plans[1].plan == campaign.state.plans[1].plan
    # The draw and every plan name the roster they were made from.
    assert again.state.draw is not None and again.state.draw.roster_version == ROSTER
    assert again.state.draw.seed == 1 and again.state.draw.groups == again.state.groups
    assert {r.roster_version for r in again.state.plans.values()} == {ROSTER}


def test_rounds_close_in_order_and_closed_rounds_are_never_replanned() -> None:
    campaign, p = _scheduled()
    with pytest.raises(StateConflict):
        campaign.close_round(2)
    campaign.close_round(1)
    with pytest.raises(StateConflict):
        campaign.close_round(1)
    with pytest.raises(StateConflict):
        campaign.schedule(plan_campaign(p, 1, seed=1), {}, ROSTER)
    with pytest.raises(StateConflict):
        campaign.form_groups(p.groups, {}, 2, ROSTER)
    earlier = plan_campaign(p, 1, seed=4)
    with pytest.raises(StateConflict):
        campaign.replan(earlier, {r.round_no: [] for r in earlier.rounds}, None, "变更", ROSTER)


def test_rezone_keeps_places_in_their_zones_and_places_new_ones() -> None:
    zones = [zone("x", "p1", "p2"), zone("x", "p3"), zone("y", "p4")]
    zones[1] = zones[1].__class__("x-2", "x村2片", "x", ("p3",))
    open_sites = {"p1": "x", "p3": "x", "p5": "x", "p6": "w"}
    out = rezone(zones, open_sites, {"w": "w村"})
    assert [(z.zone_id, z.site_ids) for z in out] == [
        ("x", ("p1", "p5")),
        ("x-2", ("p3",)),
        ("w", ("p6",)),
    ]


def test_a_group_whose_leader_left_is_led_by_another_leadership_member() -> None:
    a, b, c = member("a", leader=True), member("b", leader=True), member("c")
    group = Group("g1", "第1组", "a", ("a", "b", "c"))
    [kept] = refresh_groups([group], {"b": b, "c": c})
    assert kept.leader_id == "b" and kept.member_ids == ("b", "c")
    with pytest.raises(RuleViolation) as caught:
        refresh_groups([group], {"a": a.__class__("a", "x", False), "c": c})
    assert caught.value.key == "rotation.group_without_leader"


def test_the_roster_version_is_its_content_in_any_order_and_survives_storage() -> None:
    a, b = member("a", "x", leader=True), member("b", "y")
    first = Roster({"a": a, "b": b}, {"p1": "x", "p2": "y"})
    again = Roster({"b": b, "a": a}, {"p2": "y", "p1": "x"})
    assert first.version == again.version and len(first.version) == 64
    stored = from_facts(json.loads(json.dumps(first.facts())))
    assert stored.version == first.version and stored.staff == first.staff
    moved = Roster({"a": a, "b": b.__class__("b", b.unit, False, "x")}, first.sites)
    closed = Roster(first.staff, {"p1": "x"})
    assert len({first.version, moved.version, closed.version}) == 3
