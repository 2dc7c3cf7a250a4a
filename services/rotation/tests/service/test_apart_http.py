"""Officials kept apart over HTTP on the real stack: relatives declared in the registry's
events (StaffConflictDeclared naming officials) are drawn into different groups; a
change that would join them is refused naming both; a pair declared after scheduling
blocks the replan by name, offers small changes as ways out, and breaks the independent
check of the rounds planned before it."""

from __future__ import annotations

from typing import Any

import pytest

from crosscheck_contracts.base import Event
from crosscheck_contracts.events import registry as reg
from crosscheck_scenarios.rotation import reference

from .conftest import Rotation, registry_events

pytestmark = pytest.mark.infra

T = "532327131"


async def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _pair(a: str, b: str) -> reg.StaffConflictDeclared:
    return reg.StaffConflictDeclared(staff_id=f"k-{a}", staff_ids=[f"k-{b}"], reason="亲属关系")


async def test_relatives_are_kept_apart_by_formation_changes_and_the_check(
    rotation: Rotation,
) -> None:
    town = reference()
    name = {f"k-{s.staff_id}": s.name for s in town.staff}
    events: list[Event] = [
        e.model_copy(update={"name": name[e.staff_id]}) if isinstance(e, reg.StaffEnrolled) else e
        for e in registry_events(town, T, "k-")
    ]
    # A chain of three relatives, a couple, and a leader with a member of their unit.
    pairs = [("s0011", "s0012"), ("s0012", "s0013"), ("s0020", "s0031"), ("s0001", "s0040")]
    await rotation.publish(T, [*events, *(_pair(a, b) for a, b in pairs)])
    await rotation.wait_for(
        "SELECT count(*) FROM roster_staff WHERE township = $1 AND cardinality(conflict_staff) > 0",
        T,
        expect=4,
    )
    await rotation.wait_for(
        "SELECT count(*) FROM roster_sites WHERE township = $1", T, expect=len(town.sites)
    )
    admin = rotation.headers(T)
    base = f"/v1/townships/{T}/campaigns"
    body = {"name": "秋季专项行动", "starts_on": "2099-09-01", "ends_on": "2099-12-31"}
    made = await _ok(
        await rotation.client.post(
            base, json={**body, "rounds": 4, "groups": 8, "seed": 9}, headers=admin
        ),
        201,
    )
    group_of = {m: g for g in made["groups"] for m in g["member_ids"]}
    for a, b in pairs:
        assert group_of[f"k-{a}"]["group_id"] != group_of[f"k-{b}"]["group_id"]
    path = f"{base}/{made['campaign_id']}"
    await _ok(await rotation.client.post(f"{path}/schedule", json={"seed": 2}, headers=admin))
    for n in range(1, 5):
        check = await _ok(await rotation.client.get(f"{path}/rounds/{n}/check", headers=admin))
        assert check["held"] and check["agrees_with_recorded"], check

    # Moving one relative into the other's group is refused, both named, no ids.
    target = group_of["k-s0012"]
    refused = await rotation.client.post(
        f"{path}/groups/change",
        json={"kind": "move", "member": "k-s0011", "to_group": target["group_id"], "reason": "x"},
        headers=admin,
    )
    assert refused.status_code == 422, refused.text
    message = refused.json()["error"]["message"]
    assert name["k-s0011"] in message and name["k-s0012"] in message, message
    assert target["name"] in message and "s0011" not in message

    # Two members of one group declare they are related after scheduling: the replan is
    # blocked naming both and offers small changes; the recorded rounds now break.
    group = next(g for g in made["groups"] if len(g["member_ids"]) >= 3)
    a, b = [m for m in group["member_ids"] if m != group["leader_id"]][:2]
    await rotation.publish(T, [reg.StaffConflictDeclared(staff_id=a, staff_ids=[b], reason="夫妻")])
    await rotation.wait_for(
        "SELECT $2 = ANY(conflict_staff) FROM roster_staff WHERE staff_id = $1", a, b
    )
    blocked = await rotation.client.post(
        f"{path}/replan", json={"reason": "申报亲属关系", "seed": 3}, headers=admin
    )
    assert blocked.status_code == 422, blocked.text
    error = blocked.json()["error"]
    assert name[a] in error["message"] and name[b] in error["message"], error
    assert group["name"] in error["message"] and "ways_out" in error["detail"]
    check = await _ok(await rotation.client.get(f"{path}/rounds/2/check", headers=admin))
    broken = next(c for c in check["checks"] if c["rule"] == "no_declared_conflict")
    assert not broken["held"] and not check["agrees_with_recorded"]
    assert any(name[a] in p and name[b] in p for p in broken["problems"]), broken

    # The way out: move one of them to another group; the rounds not started are planned
    # again and every rule holds.
    other = next(g for g in made["groups"] if g["group_id"] != group["group_id"])
    for member in (a, b):
        answer = await rotation.client.post(
            f"{path}/groups/change",
            json={
                "kind": "move",
                "member": member,
                "to_group": other["group_id"],
                "reason": "回避",
            },
            headers=admin,
        )
        if answer.status_code == 200:
            break
    assert answer.status_code == 200, answer.text
    for n in range(1, 5):
        check = await _ok(await rotation.client.get(f"{path}/rounds/{n}/check", headers=admin))
        assert check["held"], check
