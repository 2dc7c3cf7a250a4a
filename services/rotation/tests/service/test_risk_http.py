"""Risk-aware rounds over HTTP on the real stack: hazards found in round 1 arrive on the
hazards topic (one overdue on notify's), the campaign's risk lists the zones' weights,
and the replan of round 2 sends the riskiest zone to a strongest group, every rule held."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from crosscheck_contracts.base import BoundedContext
from crosscheck_contracts.events import hazards as hz
from crosscheck_contracts.events import notify as nt
from crosscheck_contracts.samples import sample
from crosscheck_scenarios.rotation import reference

from .conftest import Rotation, registry_events

pytestmark = pytest.mark.infra

T = "532327151"


async def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def test_the_next_round_sends_the_riskiest_zone_to_a_strongest_group(
    rotation: Rotation,
) -> None:
    town = reference()
    await rotation.publish(T, registry_events(town, T, "r-"))
    for table, n in (("roster_staff", len(town.staff)), ("roster_sites", len(town.sites))):
        await rotation.wait_for(f"SELECT count(*) FROM {table} WHERE township = $1", T, expect=n)
    admin = rotation.headers(T)
    base = f"/v1/townships/{T}/campaigns"
    body = {"name": "安全生产月", "starts_on": "2099-06-01", "ends_on": "2099-06-30"}
    made = await _ok(
        await rotation.client.post(
            base, json={**body, "rounds": 4, "groups": 8, "seed": 5}, headers=admin
        ),
        201,
    )
    campaign_id = made["campaign_id"]
    path = f"{base}/{campaign_id}"
    await _ok(await rotation.client.post(f"{path}/schedule", json={"seed": 5}, headers=admin))
    await _ok(await rotation.client.post(f"{path}/rounds/1/close", headers=admin))
    plan = await _ok(await rotation.client.get(path, headers=admin))
    size = {g["group_id"]: len(g["member_ids"]) for g in plan["groups"]}
    strongest = max(size.values())
    # Round 1 found hazards in one zone the strongest groups did not see in round 1.
    seen = {a["group_id"]: a["zone_id"] for a in plan["schedule"][0]["assignments"]}
    strong = [g for g, n in size.items() if n == strongest]
    eligible = {g["group_id"]: {z["zone_id"] for z in g["eligible_zones"]} for g in plan["groups"]}
    zone = next(
        z
        for z in plan["zones"]
        if any(z["zone_id"] in eligible[g] and seen[g] != z["zone_id"] for g in strong)
    )
    sites = next(
        a["site_ids"] for a in plan["schedule"][0]["assignments"] if a["zone_id"] == zone["zone_id"]
    )
    found = [
        sample(
            hz.HazardFound,
            hazard_id=f"h-{campaign_id}-{n}",
            campaign_id=campaign_id,
            round_no=1,
            site_id=site,
            severity=hz.Severity.MAJOR if n == 0 else hz.Severity.GENERAL,
            found_at=datetime(2099, 6, 3, tzinfo=UTC),
        )
        for n, site in enumerate(sites[:3])
    ]
    await rotation.publish(T, found, BoundedContext.HAZARDS)
    overdue = sample(nt.RectificationOverdue, hazard_id=found[0].hazard_id)
    await rotation.publish(T, [overdue], BoundedContext.NOTIFY)
    # One inspection there whose photos were taken away from the place.
    group = next(g for g, z in seen.items() if z == zone["zone_id"])
    visit = sample(
        hz.InspectionCompleted,
        inspection_id=f"i-{campaign_id}",
        campaign_id=campaign_id,
        round_no=1,
        site_id=sites[0],
        group_id=group,
        hazard_ids=[f.hazard_id for f in found],
        items_checked=10,
        items_failed=len(found),
        presence=hz.Presence(radius_m=500, flags=[hz.PresenceFlag.FAR_FROM_PLACE]),
    )
    await rotation.publish(T, [visit], BoundedContext.HAZARDS)
    await rotation.wait_for(
        "SELECT count(*) FROM findings WHERE campaign_id = $1 AND overdue", campaign_id, expect=1
    )
    await rotation.wait_for(
        "SELECT count(*) FROM visits WHERE campaign_id = $1", campaign_id, expect=1
    )
    risk = await _ok(await rotation.client.get(f"{path}/risk", headers=admin))
    assert risk[0]["zone"] == zone["name"] and risk[0]["zone_id"] == zone["zone_id"]
    assert (risk[0]["open"], risk[0]["major"], risk[0]["overdue"]) == (len(found), 1, 1)
    assert risk[0]["presence_flagged"] == 1 and risk[0]["flags"] == {"far_from_place": 1}
    assert risk[0]["raw"] == len(found) + 3 + 2 + 1 and risk[0]["weight"] > 0
    why = risk[0]["why"]
    assert why["zh"].startswith(f"{zone['name']}:未整改隐患{len(found)}处")
    assert "拍摄位置超出场所范围 1" in why["zh"] and f"权重{risk[0]['weight']}" in why["zh"]
    assert why["en"].startswith(f"{zone['name']}: {len(found)} open hazard(s)")
    assert "taken away from the place 1" in why["en"]

    replanned = await _ok(
        await rotation.client.post(
            f"{path}/replan", json={"reason": "按隐患加权", "seed": 5}, headers=admin
        )
    )
    assert replanned["risk"][0]["why"] == why
    after = await _ok(await rotation.client.get(path, headers=admin))
    sent = next(
        a["group_id"]
        for a in after["schedule"][1]["assignments"]
        if a["zone_id"] == zone["zone_id"]
    )
    assert size[sent] == strongest, (sent, size)
    for n in range(1, 5):
        check = await _ok(await rotation.client.get(f"{path}/rounds/{n}/check", headers=admin))
        assert check["held"], check
