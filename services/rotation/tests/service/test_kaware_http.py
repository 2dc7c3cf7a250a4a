"""K-aware formation over HTTP on the real stack: asking K = 3 on a township where the
seed's own draw allows only K = 2 launches with groups from another draw that reach it,
the rounds are scheduled with K = 3 and the draw replays; a K no draw reaches is a 422
naming the best K a draw gave."""

from __future__ import annotations

from typing import Any

import pytest

from crosscheck_scenarios.rotation import township

from .conftest import Rotation, registry_events

pytestmark = pytest.mark.infra

T = "532327141"


async def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def test_formation_reaches_the_k_asked_from_another_draw(rotation: Rotation) -> None:
    # The township of tests/unit/test_kaware.py: the draw from seed 1 allows K = 2 only.
    town = township(
        21, villages=6, places=36, staff=24, leadership=7, from_villages=0.7, conflict_rate=0.1
    )
    await rotation.publish(T, registry_events(town, T, "n-"))
    for table, n in (("roster_staff", len(town.staff)), ("roster_sites", len(town.sites))):
        await rotation.wait_for(f"SELECT count(*) FROM {table} WHERE township = $1", T, expect=n)
    admin = rotation.headers(T)
    base = f"/v1/townships/{T}/campaigns"
    body = {"name": "冬季专项行动", "starts_on": "2099-11-01", "ends_on": "2099-12-31"}
    made = await _ok(
        await rotation.client.post(
            base,
            json={**body, "rounds": 4, "groups": 6, "seed": 1, "no_repeat_within_rounds": 3},
            headers=admin,
        ),
        201,
    )
    assert made["formation"]["no_repeat_within_rounds"] == 3
    assert made["formation"]["draw"] >= 2  # not the seed's own draw
    path = f"{base}/{made['campaign_id']}"
    await _ok(await rotation.client.post(f"{path}/schedule", json={"seed": 1}, headers=admin))
    plan = await _ok(await rotation.client.get(path, headers=admin))
    assert {r["no_repeat_within_rounds"] for r in plan["schedule"]} == {3}
    check = await _ok(
        await rotation.client.get(f"{path}/rounds/1/check?replay=true", headers=admin)
    )
    assert check["held"] and check["replay"]["draw"]["matches"] is True, check

    # K = 5 over 6 rounds: no draw reaches it; the answer names the best one.
    refused = await rotation.client.post(
        base,
        json={**body, "rounds": 6, "groups": 6, "seed": 1, "no_repeat_within_rounds": 5},
        headers=admin,
    )
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert "次抽签" in error["message"] and "K=" in error["message"], error
    assert error["detail"]["causes"][0]["rule"] == "k_not_reached"
