"""Tenancy of the rotation's reads: the roster counts and every campaign read are
refused, the same way, to another county's viewer, another township's admin and the
township's village committees (a plan is the township's own record, naming every
village); this county's viewer reads them."""

from __future__ import annotations

import pytest

from crosscheck_platform.auth import Role
from crosscheck_scenarios.rotation import township
from crosscheck_testing.auth import bearer
from crosscheck_testing.tenancy import assert_out_of_scope

from .conftest import COUNTY, Rotation, registry_events

pytestmark = pytest.mark.infra

T1, T2 = "532327111", "532327112"


async def _scheduled_campaign(rotation: Rotation) -> str:
    town = township(3, villages=3, places=9, staff=8, leadership=3, from_villages=0.0)
    await rotation.publish(T1, registry_events(town, T1, "t1-"))
    await rotation.wait_for(
        "SELECT count(*) FROM roster_staff WHERE township = $1", T1, expect=len(town.staff)
    )
    await rotation.wait_for(
        "SELECT count(*) FROM roster_sites WHERE township = $1", T1, expect=len(town.sites)
    )
    admin = rotation.headers(T1)
    base = f"/v1/townships/{T1}/campaigns"
    body = {
        "name": "春季互查",
        "starts_on": "2025-03-01",
        "ends_on": "2025-04-30",
        "rounds": 2,
        "groups": 2,
        "seed": 1,
    }
    launched = await rotation.client.post(base, json=body, headers=admin)
    assert launched.status_code == 201, launched.text
    campaign_id: str = launched.json()["campaign_id"]
    scheduled = await rotation.client.post(
        f"{base}/{campaign_id}/schedule", json={"seed": 2}, headers=admin
    )
    assert scheduled.status_code == 200, scheduled.text
    return campaign_id


async def test_roster_and_campaign_reads_are_refused_out_of_scope(rotation: Rotation) -> None:
    campaign_id = await _scheduled_campaign(rotation)
    base = f"/v1/townships/{T1}"
    campaign = f"{base}/campaigns/{campaign_id}"
    reads = [
        f"{base}/roster",
        campaign,
        f"{campaign}/groups",
        f"{campaign}/rounds/1/check",
        f"{base}/campaigns/c-none",
    ]
    outsiders = {
        "another county's viewer": bearer(
            rotation.infra.issuer, Role.COUNTY_VIEWER, county="532328", township=None
        ),
        "another township's admin": rotation.headers(T2),
        "a village committee": bearer(
            rotation.infra.issuer,
            Role.VILLAGE_COMMITTEE,
            county=COUNTY,
            township=T1,
            village_id="t1-v001",
        ),
    }
    for who, headers in outsiders.items():
        for path in reads:
            response = await rotation.client.get(path, headers=headers)
            assert response.status_code == 403, (who, path, response.text)
            assert_out_of_scope(response)

    viewer = bearer(rotation.infra.issuer, Role.COUNTY_VIEWER, county=COUNTY, township=None)
    roster = await rotation.client.get(reads[0], headers=viewer)
    assert roster.status_code == 200 and roster.json()["sites"] == 9
    for path in reads[1:4]:
        assert (await rotation.client.get(path, headers=viewer)).status_code == 200, path
    assert (await rotation.client.get(reads[4], headers=viewer)).status_code == 404
