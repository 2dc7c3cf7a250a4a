"""Campaign housekeeping on the real stack: a township's campaigns listed with their
state, a campaign that has not started cancelled (an event on the topic), one that has
started refused by name, and a cancelled campaign takes no further command."""

from __future__ import annotations

from typing import Any

import pytest

from crosscheck_contracts.events import rotation as rot
from crosscheck_platform.auth import Role
from crosscheck_scenarios.rotation import reference
from crosscheck_testing.tenancy import assert_out_of_scope

from .conftest import Rotation, registry_events

pytestmark = pytest.mark.infra

T, OTHER = "532327111", "532327112"


async def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def test_campaigns_are_listed_with_their_state_and_cancelled(rotation: Rotation) -> None:
    town = reference()
    await rotation.publish(T, registry_events(town, T, "h-"))
    await rotation.wait_for(
        "SELECT count(*) FROM roster_staff WHERE township = $1", T, expect=len(town.staff)
    )
    await rotation.wait_for(
        "SELECT count(*) FROM roster_sites WHERE township = $1", T, expect=len(town.sites)
    )
    admin = rotation.headers(T)
    base = f"/v1/townships/{T}/campaigns"
    assert await _ok(await rotation.client.get(base, headers=admin)) == []

    async def launch(name: str, starts_on: str) -> str:
        body = {"name": name, "starts_on": starts_on, "ends_on": "2099-12-31", "rounds": 3}
        made = await _ok(
            await rotation.client.post(base, json={**body, "groups": 8, "seed": 3}, headers=admin),
            201,
        )
        return str(made["campaign_id"])

    past = await launch("春季专项行动", "2025-03-01")
    future = await launch("秋季专项行动", "2099-09-01")
    failed = await launch("填错日期的行动", "2099-10-01")
    for campaign in (past, future):
        await _ok(await rotation.client.post(f"{base}/{campaign}/schedule", json={}, headers=admin))
    await _ok(await rotation.client.post(f"{base}/{past}/rounds/1/close", headers=admin))

    listed = await _ok(await rotation.client.get(base, headers=admin))
    assert [(c["campaign_id"], c["name"], c["stage"], c["cancelled"]) for c in listed] == [
        (failed, "填错日期的行动", "launched", False),
        (future, "秋季专项行动", "scheduled", False),
        (past, "春季专项行动", "in_progress", False),
    ]
    assert listed[2]["last_closed_round"] == 1 and listed[0]["created"] >= listed[2]["created"]

    # Not started (a launch never planned, a plan whose first day is to come): cancelled, as events.
    for campaign in (failed, future):
        done = await _ok(
            await rotation.client.post(
                f"{base}/{campaign}/cancel", json={"reason": "重新发起"}, headers=admin
            )
        )
        assert done["events"] == ["CampaignCancelled"] and done["id"] == campaign
    listed = await _ok(await rotation.client.get(base, headers=admin))
    states = {c["campaign_id"]: (c["stage"], c["cancelled"]) for c in listed}
    assert states == {
        failed: ("launched", True),
        future: ("scheduled", True),
        past: ("in_progress", False),
    }

    # Started: refused, naming the campaign; a cancelled one takes nothing more.
    started = await rotation.client.post(
        f"{base}/{past}/cancel", json={"reason": "x"}, headers=admin
    )
    assert started.status_code == 409
    assert "检查活动“春季专项行动”已开始" in started.json()["error"]["message"]
    for path in (f"{future}/cancel", f"{future}/replan", f"{failed}/schedule"):
        again = await rotation.client.post(
            f"{base}/{path}", json={"reason": "x"} if "schedule" not in path else {}, headers=admin
        )
        assert again.status_code == 409, again.text
        assert "“秋季专项行动”已取消" in again.json()["error"]["message"] or (
            "“填错日期的行动”已取消" in again.json()["error"]["message"]
        )
    english = await rotation.client.post(
        f"{base}/{future}/cancel", json={"reason": "x"}, headers={**admin, "Accept-Language": "en"}
    )
    assert "The campaign “秋季专项行动” was cancelled" in english.json()["error"]["message"]

    # Readers of the township and its county list; another township and writers out of
    # role do not.
    inspector = rotation.headers(T, Role.INSPECTOR)
    assert len(await _ok(await rotation.client.get(base, headers=inspector))) == 3
    county = rotation.headers(T, Role.COUNTY_VIEWER)
    assert len(await _ok(await rotation.client.get(base, headers=county))) == 3
    assert_out_of_scope(await rotation.client.get(base, headers=rotation.headers(OTHER)))
    refused = await rotation.client.post(
        f"{base}/{past}/cancel", json={"reason": "x"}, headers=inspector
    )
    assert refused.status_code == 403

    decoded = await rotation.rotation_events(
        lambda evs: sum(isinstance(e, rot.CampaignCancelled) for _, e in evs) >= 2
    )
    cancelled = [e for _, e in decoded if isinstance(e, rot.CampaignCancelled)]
    assert {e.campaign_id for e in cancelled} >= {failed, future}
