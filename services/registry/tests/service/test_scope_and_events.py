"""Tenancy on every route, commands through HTTP, and the events on Kafka."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer

from crosscheck_contracts import CATALOGUE
from crosscheck_contracts import kafka as wire
from crosscheck_contracts.base import BoundedContext
from crosscheck_contracts.events.registry import (
    SiteRegistered,
    StaffConflictDeclared,
    StaffEnrolled,
)
from crosscheck_platform.auth import Role
from crosscheck_platform.kafka import bootstrap_servers
from crosscheck_scenarios.registry import Scenario, reference_scenario
from crosscheck_testing.tenancy import assert_out_of_scope

from .conftest import XLSX, Registry

OTHER = reference_scenario(seed=5, township_code="532327103", township_name="宜就镇")


async def test_township_a_can_neither_read_nor_change_township_b(
    registry: Registry, scenario: Scenario
) -> None:
    await registry.setup_township(scenario)
    await registry.setup_township(OTHER)
    a, b = scenario.township_code, OTHER.township_code
    admin_a = registry.token(township=a)
    b_villages = await registry.client.get(
        f"/v1/townships/{b}/villages", headers=registry.token(township=b)
    )
    village_b = b_villages.json()[0]["id"]
    site = {
        "name": "李记小卖部",
        "village_id": village_b,
        "site_type": "小商店",
        "address": "一组",
        "responsible_name": "李四",
        "responsible_phone": "13812345678",
    }
    created = await registry.client.post(
        f"/v1/townships/{b}/sites", json=site, headers=registry.token(township=b)
    )
    assert created.status_code == 201, created.text
    site_b = created.json()["id"]

    attempts = [
        registry.client.get(f"/v1/townships/{b}", headers=admin_a),
        registry.client.get(f"/v1/townships/{b}/sites", headers=admin_a),
        registry.client.get(f"/v1/townships/{b}/sites/{site_b}", headers=admin_a),
        registry.client.get(f"/v1/townships/{b}/staff", headers=admin_a),
        registry.client.post(f"/v1/townships/{b}/sites", json=site, headers=admin_a),
        registry.client.patch(
            f"/v1/townships/{b}/sites/{site_b}", json={"address": "x"}, headers=admin_a
        ),
        registry.client.post(
            f"/v1/townships/{b}/import",
            content=OTHER.to_xlsx(),
            headers={**admin_a, "Content-Type": XLSX},
        ),
    ]
    for response in await asyncio.gather(*attempts):
        assert_out_of_scope(response)
    # B's place is not reachable through A's own path either.
    via_a = await registry.client.patch(
        f"/v1/townships/{a}/sites/{site_b}", json={"address": "x"}, headers=admin_a
    )
    assert via_a.status_code == 404
    # Inspectors read their township but change nothing; the county viewer reads both.
    inspector = registry.token(Role.INSPECTOR, township=a)
    assert (
        await registry.client.get(f"/v1/townships/{a}/sites", headers=inspector)
    ).status_code == 200
    assert (
        await registry.client.post(f"/v1/townships/{a}/sites", json=site, headers=inspector)
    ).status_code == 403
    county = registry.token(Role.COUNTY_VIEWER)
    assert (await registry.client.get(f"/v1/townships/{b}/sites/{site_b}", headers=county)).json()[
        "responsible_phone_masked"
    ] == "138****5678"
    listed = await registry.client.get("/v1/townships", headers=county)
    assert [t["code"] for t in listed.json()] == [a, b]
    assert (
        await registry.client.post(f"/v1/townships/{b}/sites", json=site, headers=county)
    ).status_code == 403
    other_county = registry.token(Role.COUNTY_VIEWER, county="532328")
    assert_out_of_scope(await registry.client.get(f"/v1/townships/{b}/sites", headers=other_county))


async def test_commands_validate_and_events_decode_from_kafka(
    registry: Registry, scenario: Scenario
) -> None:
    await registry.setup_township(scenario)
    township = scenario.township_code
    admin = registry.token(township=township)
    base = f"/v1/townships/{township}"
    village = scenario.villages[0][1]
    bad = await registry.client.post(
        f"{base}/sites",
        headers=admin,
        json={
            "name": "王记餐馆",
            "village_id": village,
            "site_type": "小餐饮",
            "address": "二组",
            "responsible_name": "王五",
            "responsible_phone": "12345",
        },
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["message"].startswith("联系电话“12345”格式不正确")
    created = await registry.client.post(
        f"{base}/sites",
        headers=admin,
        json={
            "name": "王记餐馆",
            "village_id": village,
            "site_type": "小餐饮",
            "address": "二组",
            "responsible_name": "王五",
            "responsible_phone": "13912345678",
        },
    )
    site_id = created.json()["id"]
    duplicate = await registry.client.post(
        f"{base}/sites",
        headers=admin,
        json={
            "name": "王记餐馆",
            "village_id": village,
            "site_type": "小商店",
            "address": "三组",
            "responsible_name": "赵六",
        },
    )
    assert duplicate.status_code == 409
    detail = await registry.client.get(f"{base}/sites/{site_id}", headers=admin)
    assert detail.json()["responsible_phone"] == "13912345678"  # the township's own admin
    listing = f"{base}/sites?q=王记餐馆"
    listed = (await registry.client.get(listing, headers=admin)).json()["items"]
    assert [s["responsible_phone"] for s in listed] == ["13912345678"]
    inspector = registry.token(Role.INSPECTOR, township=township)
    seen = (await registry.client.get(listing, headers=inspector)).json()["items"]
    assert [(s["responsible_phone"], s["responsible_phone_masked"]) for s in seen] == [
        (None, "139****5678")
    ]
    staff = await registry.client.post(
        f"{base}/staff",
        headers=admin,
        json={
            "name": "陈七",
            "unit": "综治中心",
            "is_leadership": True,
            "home_village_id": village,
        },
    )
    staff_id = staff.json()["id"]
    conflict = await registry.client.post(
        f"{base}/staff/{staff_id}/conflicts",
        headers=admin,
        json={"site_ids": [site_id], "reason": "亲属经营"},
    )
    assert conflict.json()["events"] == ["StaffConflictDeclared"]
    # Two relatives: declared through the API, they must never share a group.
    spouse = await registry.client.post(
        f"{base}/staff",
        headers=admin,
        json={"name": "周八", "unit": "农业中心", "is_leadership": False},
    )
    spouse_id = spouse.json()["id"]
    pair = await registry.client.post(
        f"{base}/staff/{staff_id}/conflicts",
        headers=admin,
        json={"staff_ids": [spouse_id], "reason": "夫妻"},
    )
    assert pair.json()["events"] == ["StaffConflictDeclared"], pair.text
    again = await registry.client.post(
        f"{base}/staff/{staff_id}/conflicts",
        headers=admin,
        json={"staff_ids": [spouse_id], "reason": "夫妻"},
    )
    assert again.json()["events"] == []
    myself = await registry.client.post(
        f"{base}/staff/{staff_id}/conflicts",
        headers=admin,
        json={"staff_ids": [staff_id], "reason": "x"},
    )
    assert myself.status_code == 422 and "陈七" in myself.json()["error"]["message"]
    stranger = await registry.client.post(
        f"{base}/staff/{staff_id}/conflicts",
        headers=admin,
        json={"staff_ids": ["nobody-here"], "reason": "x"},
    )
    assert stranger.status_code == 404
    listed_staff = (await registry.client.get(f"{base}/staff?q=陈七", headers=admin)).json()
    assert listed_staff["items"][0]["conflict_staff_ids"] == [spouse_id]
    closed = await registry.client.post(
        f"{base}/sites/{site_id}/close", headers=admin, json={"reason": "已停业"}
    )
    assert closed.json()["version"] == 2
    late = await registry.client.patch(
        f"{base}/sites/{site_id}", headers=admin, json={"address": "四组"}
    )
    assert late.status_code == 409
    assert late.json()["error"]["message"] == "场所“王记餐馆”已注销,不能再修改"

    expected = await registry.event_count()
    records = await _read_topic(registry, expected)
    decoded = [wire.decode(CATALOGUE, r.headers, r.value) for r in records]
    assert len(decoded) == expected
    assert all(env.township == township and env.county == "532327" for env, _ in decoded)
    types = [event for _, event in decoded]
    site_event = next(e for e in types if isinstance(e, SiteRegistered))
    assert site_event.responsible_phone_masked == "139****5678"
    assert all(b"13912345678" not in r.value for r in records)  # the number stays private
    assert any(isinstance(e, StaffEnrolled) and e.is_leadership for e in types)
    assert any(isinstance(e, StaffConflictDeclared) and e.staff_ids == [spouse_id] for e in types)


async def _read_topic(registry: Registry, count: int) -> list[Any]:
    consumer = AIOKafkaConsumer(
        registry.runtime.topics.of(BoundedContext.REGISTRY),
        bootstrap_servers=bootstrap_servers(registry.settings.kafka_bootstrap),
        group_id=f"reader-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[Any] = []
    try:
        async with asyncio.timeout(30):
            while len(records) < count:
                for part in (await consumer.getmany(timeout_ms=200)).values():
                    records.extend(part)
    finally:
        await consumer.stop()
    return records
