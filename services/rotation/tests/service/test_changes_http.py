"""Small changes over HTTP on the real stack: move a member, swap two, replace a leader,
for the rounds not yet started, each re-checked by the independent checker; a change
that cannot hold is refused by name; the 422 that blocks a replan offers these changes
as ways out."""

from __future__ import annotations

from typing import Any

import pytest

from crosscheck_contracts.events import registry as reg
from crosscheck_rotation.domain.model import StaffMember
from crosscheck_scenarios.rotation import Township, reference

from .conftest import Rotation, registry_events

pytestmark = pytest.mark.infra

T, S = "532327121", "532327122"


async def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def _roster(rotation: Rotation, town: Township, township: str, prefix: str) -> None:
    await rotation.publish(township, registry_events(town, township, prefix))
    for table, n in (("roster_staff", len(town.staff)), ("roster_sites", len(town.sites))):
        await rotation.wait_for(
            f"SELECT count(*) FROM {table} WHERE township = $1", township, expect=n
        )


async def test_move_swap_and_replace_a_leader_for_the_rounds_not_started(
    rotation: Rotation,
) -> None:
    town = reference()
    await _roster(rotation, town, T, "m-")
    admin = rotation.headers(T)
    base = f"/v1/townships/{T}/campaigns"
    body = {"name": "夏季专项行动", "starts_on": "2099-06-01", "ends_on": "2099-09-30"}
    made = await _ok(
        await rotation.client.post(
            base, json={**body, "rounds": 4, "groups": 8, "seed": 9}, headers=admin
        ),
        201,
    )
    path = f"{base}/{made['campaign_id']}"
    await _ok(await rotation.client.post(f"{path}/schedule", json={"seed": 2}, headers=admin))
    await _ok(await rotation.client.post(f"{path}/rounds/1/close", headers=admin))
    before = await _ok(await rotation.client.get(path, headers=admin))
    g1, g2 = before["groups"][0], before["groups"][1]
    leadership = {f"m-{s.staff_id}" for s in town.staff if s.is_leadership}

    async def change(payload: dict[str, Any]) -> Any:
        return await rotation.client.post(
            f"{path}/groups/change", json={"reason": "工作调整", **payload}, headers=admin
        )

    async def all_hold() -> dict[str, Any]:
        plan = await _ok(await rotation.client.get(path, headers=admin))
        for n in range(1, 5):
            check = await _ok(await rotation.client.get(f"{path}/rounds/{n}/check", headers=admin))
            assert check["held"] and check["agrees_with_recorded"], check
        assert plan["schedule"][0] == {**before["schedule"][0], "closed": True}
        return dict(plan)

    # A member (not the leader) moves from group 1 to group 2. If the move breaks a
    # rule the answer says why by name; otherwise rounds 2-4 are planned again.
    movers = [m for m in g1["member_ids"] if m != g1["leader_id"]]
    moved = None
    for m in movers:
        answer = await change({"kind": "move", "member": m, "to_group": g2["group_id"]})
        if answer.status_code == 200:
            moved = m
            assert answer.json()["events"] == ["GroupsFormed"] + ["RoundReplanned"] * 3
            break
        assert answer.status_code == 422 and "ways_out" in answer.json()["error"]["detail"]
    assert moved is not None
    plan = await all_hold()
    groups = {g["group_id"]: g for g in plan["groups"]}
    assert moved in groups[g2["group_id"]]["member_ids"]
    assert moved not in groups[g1["group_id"]]["member_ids"]

    # A leader cannot move out of their group, said by name.
    refused = await change({"kind": "move", "member": g1["leader_id"], "to_group": "g3"})
    assert refused.status_code == 422
    leader_name = f"干部{g1['leader_id'].removeprefix('m-')}"
    assert f"{leader_name}是第1组的带队领导" in refused.json()["error"]["message"]

    # Another leadership member of a group becomes its leader (or, failing one, a swap
    # brings one in); then two ordinary members swap.
    group = next(
        g
        for g in plan["groups"]
        if any(m in leadership and m != g["leader_id"] for m in g["member_ids"])
    )
    new_leader = next(m for m in group["member_ids"] if m in leadership and m != group["leader_id"])
    led = await _ok(await change({"kind": "leader", "member": new_leader}))
    assert led["events"][0] == "GroupsFormed"
    plan = await all_hold()
    assert {g["group_id"]: g["leader_id"] for g in plan["groups"]}[group["group_id"]] == new_leader
    not_leadership = next(m for m in plan["groups"][3]["member_ids"] if m not in leadership)
    bad = await change({"kind": "leader", "member": not_leadership})
    assert bad.status_code == 422
    assert "不是党政班子成员,不能带队" in bad.json()["error"]["message"]

    a = next(m for m in plan["groups"][4]["member_ids"] if m != plan["groups"][4]["leader_id"])
    b = next(m for m in plan["groups"][5]["member_ids"] if m != plan["groups"][5]["leader_id"])
    swapped = await change({"kind": "swap", "member": a, "other": b})
    if swapped.status_code == 200:
        plan = await all_hold()
        assert a in plan["groups"][5]["member_ids"] and b in plan["groups"][4]["member_ids"]
    else:
        assert swapped.status_code == 422 and "ways_out" in swapped.json()["error"]["detail"]


async def test_a_replan_refused_offers_small_changes_as_ways_out(rotation: Rotation) -> None:
    town = Township(
        villages={"x": "西村", "y": "东村"},
        sites={"p1": "x", "p2": "x", "p3": "y", "p4": "y"},
        staff=[
            StaffMember("s1", "应急办", True, None),
            StaffMember("s2", "党政办", True, None),
            StaffMember("s3", "财政所", False, None),
        ],
    )
    await _roster(rotation, town, S, "w-")
    admin = rotation.headers(S)
    base = f"/v1/townships/{S}/campaigns"
    body = {"name": "专项行动", "starts_on": "2099-03-01", "ends_on": "2099-03-31", "rounds": 2}
    made = await _ok(
        await rotation.client.post(base, json={**body, "groups": 2, "seed": 1}, headers=admin),
        201,
    )
    path = f"{base}/{made['campaign_id']}"
    await _ok(await rotation.client.post(f"{path}/schedule", json={}, headers=admin))
    # After scheduling, the two leaders declare one village each: no rotation holds.
    await rotation.publish(
        S,
        [
            reg.StaffConflictDeclared(staff_id="w-s1", village_ids=["w-x"], reason="亲属"),
            reg.StaffConflictDeclared(staff_id="w-s2", village_ids=["w-y"], reason="亲属"),
        ],
    )
    await rotation.wait_for(
        """SELECT count(*) FROM roster_staff
           WHERE township = $1 AND cardinality(conflict_villages) > 0""",
        S,
        expect=2,
    )
    refused = await rotation.client.post(
        f"{path}/replan", json={"reason": "申报回避"}, headers=admin
    )
    assert refused.status_code == 422, refused.text
    ways = refused.json()["error"]["detail"]["ways_out"]
    assert ways["changes"] == ["move", "swap", "leader"]
    assert "两名组员互换或更换带队领导" in ways["zh"] and "swap two members" in ways["en"]
