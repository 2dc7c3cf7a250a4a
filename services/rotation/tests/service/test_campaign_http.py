"""A campaign through HTTP on the real stack: launch, groups, all rounds scheduled,
the independent check, replanning after a member left and after a place was added,
closed rounds untouched, the events on Kafka, tenancy; an impossible roster's 422."""

from __future__ import annotations

from typing import Any

import pytest

from crosscheck_contracts.events import registry as reg
from crosscheck_contracts.events import rotation as rot
from crosscheck_platform.auth import Role
from crosscheck_rotation.domain.model import StaffMember
from crosscheck_scenarios.rotation import Township, reference
from crosscheck_testing.tenancy import assert_out_of_scope

from .conftest import Rotation, registry_events

pytestmark = pytest.mark.infra

A, B, C = "532327101", "532327102", "532327103"


async def _roster(rotation: Rotation, town: Township, township: str, prefix: str) -> None:
    await rotation.publish(township, registry_events(town, township, prefix))
    declared = sum(bool(s.conflict_village_ids or s.conflict_site_ids) for s in town.staff)
    await rotation.wait_for(
        "SELECT count(*) FROM roster_sites WHERE township = $1", township, expect=len(town.sites)
    )
    await rotation.wait_for(
        """SELECT count(*) FROM roster_staff WHERE township = $1
           AND (cardinality(conflict_villages) > 0 OR cardinality(conflict_sites) > 0)""",
        township,
        expect=declared,
    )
    await rotation.wait_for(
        "SELECT count(*) FROM roster_staff WHERE township = $1", township, expect=len(town.staff)
    )


async def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def _all_checks_hold(rotation: Rotation, path: str, rounds: int) -> None:
    for n in range(1, rounds + 1):
        check = await _ok(
            await rotation.client.get(f"{path}/rounds/{n}/check", headers=rotation.headers(A))
        )
        assert check["held"], check
        assert check["agrees_with_recorded"], check
        assert len(check["checks"]) == 7 and all(c["held"] for c in check["checks"])


async def test_campaign_is_planned_checked_and_replanned_over_http(rotation: Rotation) -> None:
    town = reference()
    await _roster(rotation, town, A, "a-")
    admin = rotation.headers(A)
    known = await _ok(await rotation.client.get(f"/v1/townships/{A}/roster", headers=admin))
    assert known == {
        "township": A,
        "name": None,  # its registration (TownshipRegistered) was not sent here
        "sites": len(town.sites),
        "staff": len(town.staff),
        "staff_with_conflicts": sum(
            bool(s.conflict_village_ids or s.conflict_site_ids) for s in town.staff
        ),
    }
    forbidden = await rotation.client.get(f"/v1/townships/{B}/roster", headers=admin)
    assert forbidden.status_code == 403
    base = f"/v1/townships/{A}/campaigns"
    launched = await _ok(
        await rotation.client.post(
            base,
            json={
                "name": "2025年春季安全生产专项行动",
                "starts_on": "2025-03-01",
                "ends_on": "2025-06-30",
                "rounds": 6,
                "groups": 8,
                "seed": 11,
            },
            headers=admin,
        ),
        201,
    )
    assert launched["events"] == ["CampaignLaunched", "GroupsFormed"]
    path = f"{base}/{launched['campaign_id']}"

    groups = await _ok(await rotation.client.get(f"{path}/groups", headers=admin))
    staff = {f"a-{s.staff_id}": s for s in town.staff}
    assert len(groups) == 8 and {len(g["member_ids"]) for g in groups} <= {6, 7}
    for g in groups:
        assert staff[g["leader_id"]].is_leadership
        open_villages = {z["zone_id"].split("-")[1] for z in g["eligible_zones"]}
        homes = {staff[m].home_village_id for m in g["member_ids"]} - {None}
        assert g["eligible_zones"] and not open_villages & homes

    scheduled = await _ok(
        await rotation.client.post(f"{path}/schedule", json={"seed": 5}, headers=admin)
    )
    assert scheduled["events"] == ["RoundScheduled"] * 6
    await _all_checks_hold(rotation, path, 6)
    # The check replays the plan from its recorded seed: the same plan comes out.
    replayed = await _ok(
        await rotation.client.get(f"{path}/rounds/4/check?replay=true", headers=admin)
    )
    assert replayed["replay"]["seed"] == 5 and replayed["replay"]["matches"] is True
    first = await _ok(await rotation.client.get(path, headers=admin))
    assert first["schedule"][0]["no_repeat_within_rounds"] >= 3
    for r in first["schedule"]:
        assert sorted(s for a in r["assignments"] for s in a["site_ids"]) == sorted(
            f"a-{p}" for p in town.sites
        )

    for n in (1, 2):
        await _ok(await rotation.client.post(f"{path}/rounds/{n}/close", headers=admin))
    out_of_order = await rotation.client.post(f"{path}/rounds/4/close", headers=admin)
    assert out_of_order.status_code == 409
    assert "须按顺序结束轮次" in out_of_order.json()["error"]["message"]

    # A member leaves after round 2: rounds 3+ are planned again, 1 and 2 stay.
    group = next(g for g in first["groups"] if len(g["member_ids"]) >= 3)
    leaving = next(m for m in group["member_ids"] if m != group["leader_id"])
    await rotation.publish(A, [reg.StaffDeactivated(staff_id=leaving, reason="调离")])
    await rotation.wait_for("SELECT NOT active FROM roster_staff WHERE staff_id = $1", leaving)
    replanned = await _ok(
        await rotation.client.post(
            f"{path}/replan", json={"reason": "组员调离", "seed": 7}, headers=admin
        )
    )
    assert replanned["events"] == ["GroupsFormed"] + ["RoundReplanned"] * 4
    second = await _ok(await rotation.client.get(path, headers=admin))
    assert second["schedule"][:2] == [{**r, "closed": True} for r in first["schedule"][:2]]
    assert [r["replanned"] for r in second["schedule"]] == [False, False, True, True, True, True]
    assert all(leaving not in g["member_ids"] for g in second["groups"])
    await _all_checks_hold(rotation, path, 6)
    # The member has left since, yet round 2 and the draw replay from the roster they
    # recorded (kept by its version): the same groups and the same plan come out.
    replay = (
        await _ok(await rotation.client.get(f"{path}/rounds/2/check?replay=true", headers=admin))
    )["replay"]
    assert replay["roster"] == "recorded" and replay["matches"] is True, replay
    assert replay["draw"]["matches"] is True and replay["draw"]["seed"] == 11, replay
    assert replay["draw"]["roster_version"] == replay["roster_version"]

    # A place opens: rounds 4+ (round 3 is in progress) cover it, and record their zones.
    await rotation.publish(
        A,
        [
            reg.SiteRegistered(
                site_id="a-p9999",
                name="新开小超市",
                village_id="a-v001",
                site_type=reg.SiteType.SUPERMARKET,
                address="一组",
                responsible_name="李四",
            )
        ],
    )
    await rotation.wait_for("SELECT count(*) FROM roster_sites WHERE site_id = 'a-p9999'", expect=1)
    again = await _ok(
        await rotation.client.post(
            f"{path}/replan", json={"reason": "新增场所", "from_round": 4, "seed": 8}, headers=admin
        )
    )
    assert again["events"] == ["RoundReplanned"] * 3
    third = await _ok(await rotation.client.get(path, headers=admin))
    assert third["schedule"][:3] == second["schedule"][:3]
    for r in third["schedule"]:
        sites = {s for a in r["assignments"] for s in a["site_ids"]}
        assert ("a-p9999" in sites) == (r["round_no"] >= 4)
    await _all_checks_hold(rotation, path, 6)

    # What went to Kafka decodes with the contracts, in the campaign's order.
    campaign_id = launched["campaign_id"]
    decoded = await rotation.rotation_events(
        lambda evs: sum(isinstance(e, rot.RoundReplanned) for _, e in evs) >= 7
    )
    mine = [(env, e) for env, e in decoded if env.aggregateid == campaign_id]
    mine.sort(key=lambda pair: pair[0].aggregateversion)
    assert [type(e).__name__ for _, e in mine] == [
        "CampaignLaunched",
        "GroupsFormed",
        *["RoundScheduled"] * 6,
        "RoundClosed",
        "RoundClosed",
        "GroupsFormed",
        *["RoundReplanned"] * 7,
    ]
    assert all(env.township == A and env.county == "532327" for env, _ in mine)
    last = mine[-1][1]
    assert isinstance(last, rot.RoundReplanned) and last.zones is not None
    assert any("a-p9999" in z.site_ids for z in last.zones)
    assert all(e.zones is None for _, e in mine[11:15] if isinstance(e, rot.RoundReplanned))
    # The draw, its plans and the regroup after the member left name their rosters.
    drawn, regrouped = (e for _, e in mine if isinstance(e, rot.GroupsFormed))
    assert drawn.drawn is True and regrouped.drawn is False
    assert drawn.roster_version and drawn.roster_version != regrouped.roster_version
    assert {e.roster_version for _, e in mine[2:8] if isinstance(e, rot.RoundScheduled)} == {
        drawn.roster_version
    }

    # Tenancy: township B sees nothing of A; A's inspectors read; the county reads.
    other = rotation.headers(B)
    for response in [
        await rotation.client.get(path, headers=other),
        await rotation.client.get(f"{path}/rounds/1/check", headers=other),
        await rotation.client.post(f"{path}/replan", json={"reason": "x"}, headers=other),
        await rotation.client.post(f"{path}/rounds/3/close", headers=other),
    ]:
        assert_out_of_scope(response)
    hidden = await rotation.client.get(f"/v1/townships/{B}/campaigns/{campaign_id}", headers=other)
    assert hidden.status_code == 404
    inspector = rotation.headers(A, Role.INSPECTOR)
    assert (await rotation.client.get(f"{path}/groups", headers=inspector)).status_code == 200
    refused = await rotation.client.post(f"{path}/rounds/3/close", headers=inspector)
    assert refused.status_code == 403
    county = rotation.headers(A, Role.COUNTY_VIEWER)
    assert (await rotation.client.get(f"{path}/rounds/3/check", headers=county)).status_code == 200

    # The township's list: this campaign, two rounds closed; B's list does not show it.
    listed = await _ok(await rotation.client.get(base, headers=inspector))
    entry = [c for c in listed if c["campaign_id"] == campaign_id]
    assert entry[0].pop("created") >= "2026"
    assert entry == [
        {
            "campaign_id": campaign_id,
            "name": "2025年春季安全生产专项行动",
            "starts_on": "2025-03-01",
            "ends_on": "2025-06-30",
            "rounds": 6,
            "groups": 8,
            "rounds_scheduled": 6,
            "last_closed_round": 2,
            "stage": "in_progress",
            "cancelled": False,
            "county_campaign_id": None,
        }
    ]
    others = await _ok(await rotation.client.get(f"/v1/townships/{B}/campaigns", headers=other))
    assert campaign_id not in {c["campaign_id"] for c in others}

    # The check is not a formality: a conflict declared after the fact shows in it.
    assignment = third["schedule"][0]["assignments"][0]
    group = next(g for g in third["groups"] if g["group_id"] == assignment["group_id"])
    village = next(z["village_id"] for z in third["zones"] if z["zone_id"] == assignment["zone_id"])
    member = group["member_ids"][-1]
    await rotation.publish(
        A, [reg.StaffConflictDeclared(staff_id=member, village_ids=[village], reason="亲属")]
    )
    await rotation.wait_for(
        "SELECT $2 = ANY(conflict_villages) FROM roster_staff WHERE staff_id = $1", member, village
    )
    check = await _ok(await rotation.client.get(f"{path}/rounds/1/check", headers=admin))
    failed = [c for c in check["checks"] if not c["held"]]
    assert not check["held"] and [c["rule"] for c in failed] == ["no_declared_conflict"]
    # Named by names: the group, the person, the zone; never their ids.
    zone = next(z["name"] for z in third["zones"] if z["zone_id"] == assignment["zone_id"])
    person = f"干部{member.removeprefix('a-')}"
    assert f"{group['name']}/{person} declared {zone}" in failed[0]["problems"][0]


async def test_an_impossible_roster_is_refused_naming_its_cause(rotation: Rotation) -> None:
    town = Township(
        villages={"x": "西村", "y": "东村"},
        sites={"p1": "x", "p2": "x", "p3": "y", "p4": "y"},
        staff=[
            StaffMember("s1", "应急办", True, "x"),
            StaffMember("s2", "党政办", True, "x"),
            StaffMember("s3", "财政所", False, None),
        ],
    )
    await _roster(rotation, town, C, "c-")
    admin = rotation.headers(C)
    base = f"/v1/townships/{C}/campaigns"
    body = {"name": "专项行动", "starts_on": "2025-03-01", "ends_on": "2025-03-31", "rounds": 2}
    too_many = await rotation.client.post(base, json={**body, "groups": 3}, headers=admin)
    assert too_many.status_code == 422
    assert too_many.json()["error"]["message"].startswith("需要3名党政班子成员带队,但在册的只有2名")

    launched = await _ok(
        await rotation.client.post(base, json={**body, "groups": 2}, headers=admin), 201
    )
    path = f"{base}/{launched['campaign_id']}/schedule"
    refused = await rotation.client.post(path, json={}, headers=admin)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert "片区西村:每个检查组都有须回避该片区的成员" in error["message"]
    assert "干部s1、干部s2" in error["message"] and "c-s1" not in error["message"]
    assert error["detail"]["causes"][0]["rule"] == "zone_blocked"
    english = await rotation.client.post(path, json={}, headers={**admin, "Accept-Language": "en"})
    assert (
        "Zone 西村: every group has a member who must recuse" in english.json()["error"]["message"]
    )
    # The refusal recorded nothing: the campaign has no rounds.
    plan = await _ok(await rotation.client.get(f"{base}/{launched['campaign_id']}", headers=admin))
    assert plan["schedule"] == []
