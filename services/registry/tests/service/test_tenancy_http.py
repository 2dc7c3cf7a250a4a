"""Tenancy of the registry's reads: a village committee sees its own village's places
and nothing of the township's staff; a county viewer of another county is refused every
township of this one, registered or not."""

from __future__ import annotations

from typing import Any

import pytest

from crosscheck_platform.auth import Role
from crosscheck_scenarios.registry import Scenario
from crosscheck_testing.auth import bearer
from crosscheck_testing.tenancy import assert_out_of_scope

from .conftest import Registry

pytestmark = pytest.mark.infra


def _site(village_id: str, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "village_id": village_id,
        "site_type": "小商店",
        "address": "一组",
        "responsible_name": "李四",
        "responsible_phone": "13812345678",
    }


async def _sites_in_two_villages(
    registry: Registry, scenario: Scenario
) -> tuple[str, str, str, str]:
    """(village A, village B, a place in A, a place in B)."""
    await registry.setup_township(scenario)
    township = scenario.township_code
    admin = registry.token(township=township)
    base = f"/v1/townships/{township}"
    villages = (await registry.client.get(f"{base}/villages", headers=admin)).json()
    a, b = villages[0]["id"], villages[1]["id"]
    places = []
    for village, name in ((a, "甲村小卖部"), (b, "乙村小卖部")):
        created = await registry.client.post(
            f"{base}/sites", json=_site(village, name), headers=admin
        )
        assert created.status_code == 201, created.text
        places.append(created.json()["id"])
    return a, b, places[0], places[1]


async def test_a_village_committee_reads_its_own_village_only(
    registry: Registry, scenario: Scenario
) -> None:
    a, b, site_a, site_b = await _sites_in_two_villages(registry, scenario)
    township = scenario.township_code
    base = f"/v1/townships/{township}"
    committee = bearer(
        registry.issuer,
        Role.VILLAGE_COMMITTEE,
        county=scenario.county_code,
        township=township,
        village_id=a,
    )

    listed = await registry.client.get(f"{base}/sites", headers=committee)
    assert listed.status_code == 200, listed.text
    assert {s["village_id"] for s in listed.json()["items"]} == {a}
    assert site_a in {s["id"] for s in listed.json()["items"]}
    own = await registry.client.get(f"{base}/sites", params={"village_id": a}, headers=committee)
    assert own.json()["total"] == listed.json()["total"]
    assert_out_of_scope(
        await registry.client.get(f"{base}/sites", params={"village_id": b}, headers=committee)
    )
    assert (await registry.client.get(f"{base}/sites/{site_a}", headers=committee)).json()[
        "id"
    ] == site_a
    assert_out_of_scope(await registry.client.get(f"{base}/sites/{site_b}", headers=committee))

    villages = await registry.client.get(f"{base}/villages", headers=committee)
    assert [v["id"] for v in villages.json()] == [a]
    # The township's own records are not a village's: its staff, with their homes and
    # declared conflicts.
    assert_out_of_scope(await registry.client.get(f"{base}/staff", headers=committee))
    # Which township it works in is no secret to it.
    township_record = await registry.client.get(base, headers=committee)
    assert township_record.status_code == 200
    assert township_record.json()["code"] == township


async def test_another_countys_viewer_is_refused_every_township_of_this_county(
    registry: Registry, scenario: Scenario
) -> None:
    _, _, site_a, _ = await _sites_in_two_villages(registry, scenario)
    township = scenario.township_code
    unregistered = f"{scenario.county_code}199"
    other_county = registry.token(Role.COUNTY_VIEWER, township=None, county="532328")
    paths = [
        f"/v1/townships/{township}",
        f"/v1/townships/{township}/villages",
        f"/v1/townships/{township}/sites",
        f"/v1/townships/{township}/sites/{site_a}",
        f"/v1/townships/{township}/staff",
        f"/v1/townships/{unregistered}",
        f"/v1/townships/{unregistered}/sites",
    ]
    for path in paths:
        assert_out_of_scope(await registry.client.get(path, headers=other_county))
    in_english = await registry.client.get(
        paths[0], headers={**other_county, "Accept-Language": "en"}
    )
    assert_out_of_scope(in_english)
    # A township admin of this county asking for another township is refused alike,
    # registered or not.
    other_admin = registry.token(township=f"{scenario.county_code}103")
    for path in (paths[2], paths[5]):
        assert_out_of_scope(await registry.client.get(path, headers=other_admin))
    # This county's viewer reads them.
    viewer = registry.token(Role.COUNTY_VIEWER, township=None)
    assert (await registry.client.get(paths[3], headers=viewer)).status_code == 200
