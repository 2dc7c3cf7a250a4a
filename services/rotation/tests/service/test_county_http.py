"""County campaigns over HTTP on the real stack: a county admin launches one over
three townships, each township's team inspects the others' townships and never its
own, the independent checker holds every round, each township reads its part as one
of its campaigns (and cannot change it), and the county closes a round everywhere."""

from __future__ import annotations

from typing import Any

import pytest

from crosscheck_contracts.events import registry as reg
from crosscheck_contracts.events import rotation as rot
from crosscheck_platform.auth import Role
from crosscheck_scenarios.rotation import township
from crosscheck_testing.auth import bearer

from .conftest import COUNTY, Rotation, registry_events

pytestmark = pytest.mark.infra

CODES = ("532327151", "532327152", "532327153")
NAMES = ("东山乡", "西河镇", "南岭乡")


async def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def test_a_county_campaign_over_three_townships(rotation: Rotation) -> None:
    for i, (code, name) in enumerate(zip(CODES, NAMES, strict=True)):
        town = township(
            40 + i, villages=3, places=8 + 2 * i, staff=8, leadership=3, from_villages=0.5
        )
        registered = reg.TownshipRegistered(
            township_code=code, name=name, county_code=COUNTY, county_name="永仁县"
        )
        await rotation.publish(code, [registered, *registry_events(town, code, f"{code}-")])
        await rotation.wait_for(
            "SELECT count(*) FROM roster_sites WHERE township = $1", code, expect=len(town.sites)
        )
        await rotation.wait_for(
            "SELECT count(*) FROM roster_staff WHERE township = $1", code, expect=len(town.staff)
        )
    await rotation.wait_for(
        "SELECT count(*) FROM roster_townships WHERE county = $1 AND township = ANY($2)",
        COUNTY,
        list(CODES),
        expect=3,
    )
    county_admin = rotation.headers(CODES[0], Role.COUNTY_ADMIN)
    base = f"/v1/counties/{COUNTY}/campaigns"
    body = {
        "name": "全县乡镇交叉互查",
        "starts_on": "2026-12-01",
        "ends_on": "2027-01-31",
        "rounds": 2,
        "townships": list(CODES),
        "team_size": 3,
        "seed": 26,
    }
    # Township roles and county viewers do not launch county campaigns.
    township_admin = rotation.headers(CODES[0])
    refused = await rotation.client.post(base, json=body, headers=township_admin)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "out_of_scope"
    viewer = rotation.headers(CODES[0], Role.COUNTY_VIEWER)
    refused = await rotation.client.post(base, json=body, headers=viewer)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "read_only"

    made = await _ok(await rotation.client.post(base, json=body, headers=county_admin), 201)
    cid = made["county_campaign_id"]
    assert [t["name"] for t in made["townships"]] == list(NAMES)
    for t in made["townships"]:
        team = t["team"]
        assert team["name"] == f"{t['name']}检查组" and len(team["members"]) == 3
        assert all(
            m["name"] and not m["name"].startswith(t["township_code"]) for m in team["members"]
        )
    home = {f"team-{code}": code for code in CODES}
    seen: dict[str, set[str]] = {g: set() for g in home}
    for r in made["schedule"]:
        visits = r["visits"]
        assert {v["township_code"] for v in visits} == set(CODES)
        for v in visits:
            assert v["township_code"] != home[v["group_id"]]  # never its own township
            assert v["team"] == f"{v['from_township']}检查组" and v["places"]
            seen[v["group_id"]].add(v["township_code"])
        assert all(c["held"] for c in r["checks"]), r["checks"]
    assert all(len(s) == 2 for s in seen.values())  # two rounds, two other townships

    for n in (1, 2):
        checked = await _ok(
            await rotation.client.get(f"{base}/{cid}/rounds/{n}/check", headers=viewer)
        )
        assert checked["held"] and checked["agrees_with_recorded"], checked

    listed = await _ok(await rotation.client.get(base, headers=viewer))
    assert [(c["county_campaign_id"], c["townships"]) for c in listed] == [(cid, list(NAMES))]

    # Each township reads its part among its campaigns, checks it, and cannot change it.
    part = made["townships"][1]
    own = rotation.headers(part["township_code"])
    theirs = f"/v1/townships/{part['township_code']}/campaigns"
    listed_here = await _ok(await rotation.client.get(theirs, headers=own))
    parts_here = {c["campaign_id"]: c["county_campaign_id"] for c in listed_here}
    assert parts_here[part["campaign_id"]] == cid
    plan = await _ok(await rotation.client.get(f"{theirs}/{part['campaign_id']}", headers=own))
    assert {g["group_id"] for g in plan["groups"]} == set(home) - {f"team-{CODES[1]}"}
    assert plan["county_campaign_id"] == cid
    checked = await _ok(
        await rotation.client.get(f"{theirs}/{part['campaign_id']}/rounds/1/check", headers=own)
    )
    assert checked["held"], checked
    blocked = await rotation.client.post(
        f"{theirs}/{part['campaign_id']}/rounds/1/close", headers=own
    )
    assert blocked.status_code == 409, blocked.text
    assert "县级交叉互查" in blocked.json()["error"]["message"]

    # Another county sees nothing of it.
    stranger = bearer(rotation.infra.issuer, Role.COUNTY_ADMIN, county="532328", township=None)
    other = await rotation.client.get(f"{base}/{cid}", headers=stranger)
    assert other.status_code == 403

    closed = await _ok(
        await rotation.client.post(f"{base}/{cid}/rounds/1/close", headers=county_admin)
    )
    assert closed["events"] == ["RoundClosed"] * 3
    again = await _ok(await rotation.client.get(f"{base}/{cid}", headers=viewer))
    assert again["last_closed_round"] == 1 and again["stage"] == "in_progress"

    def county_parts(events: list[Any]) -> list[Any]:
        return [
            (env, e)
            for env, e in events
            if isinstance(e, rot.CampaignLaunched)
            and e.county
            and e.county.county_campaign_id == cid
        ]

    events = await rotation.rotation_events(lambda evs: len(county_parts(evs)) == 3)
    assert {env.township for env, _ in county_parts(events)} == set(CODES)
