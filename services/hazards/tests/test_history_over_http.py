"""Who did each step: every hazard and inspection event names its actor (v2), and the
history of a hazard or an inspection answers each step in order, driven over HTTP by
the roles concerned."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from crosscheck_contracts.events import RectificationReported
from crosscheck_contracts.events.registry import SiteType
from crosscheck_hazards.adapters.checklist_data import standard_library
from crosscheck_platform.auth import Role
from crosscheck_testing.infra import Infra

from .harness import CAMPAIGN, VILLAGE, Harness, base_inventory, round_plan, running_service

pytestmark = pytest.mark.infra

SITES = ["site-history", "site-history-2", "site-history-3"]
ITEMS = standard_library().checklist_for(SiteType.SMALL_RESTAURANT).item_ids
PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + b"png-body" * 20


@pytest.fixture(scope="module")
async def svc(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running_service(infra, tmp_path_factory.mktemp("evidence")) as harness:
        await harness.publish(
            [
                *base_inventory([*SITES, "site-g2"], closed_site="site-shut"),
                round_plan(1, SITES, ["site-g2"]),
            ]
        )
        await harness.wait_for_inventory(round_sites=4, known_sites=5)
        yield harness


def leader(svc: Harness) -> dict[str, str]:
    return svc.headers(Role.GROUP_LEADER, "s-1", name="张明")


def member(svc: Harness) -> dict[str, str]:
    return svc.headers(Role.INSPECTOR, "s-2", name="李华")


def village(svc: Harness) -> dict[str, str]:
    return svc.headers(Role.VILLAGE_COMMITTEE, village=VILLAGE, name="赵村干")


async def post(svc: Harness, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    response = await svc.client.post(path, json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def found_hazard(svc: Harness, site_id: str) -> tuple[str, str]:
    answers = [{"item_id": i, "passed": True} for i in ITEMS[1:]]
    answers.append({"item_id": ITEMS[0], "passed": False})
    recorded = await post(
        svc,
        "/v1/inspections",
        {
            "campaign_id": CAMPAIGN,
            "round_no": 1,
            "site_id": site_id,
            "group_id": "g-1",
            "present_staff_ids": ["s-1", "s-2"],
            "answers": answers,
        },
        leader(svc),
    )
    return recorded["inspection_id"], recorded["hazards"][0]["hazard_id"]


async def test_the_history_names_who_did_each_step_in_order(svc: Harness) -> None:
    inspection_id, hazard_id = await found_hazard(svc, "site-history")
    base = f"/v1/hazards/{hazard_id}"
    await post(svc, f"{base}/notify", {"told_person_name": "王建国", "signed": True}, leader(svc))
    await post(svc, f"{base}/assign", {"responsible_person_name": "王建国"}, leader(svc))
    photo = await svc.client.post(
        "/v1/evidence", content=PNG, headers=village(svc) | {"Content-Type": "image/png"}
    )
    photo_id = photo.json()["evidence_id"]
    await post(
        svc, f"{base}/report", {"note": "灭火器已更换", "evidence_ids": [photo_id]}, village(svc)
    )
    await post(svc, f"{base}/verify", {"note": "现场复核合格"}, member(svc))

    response = await svc.client.get(f"{base}/history", headers=village(svc))
    assert response.status_code == 200, response.text
    steps = response.json()["steps"]

    assert [s["step"] for s in steps] == [
        "HazardFound",
        "HazardNotified",
        "RectificationAssigned",
        "RectificationReported",
        "RectificationVerified",
    ]
    assert [s["version"] for s in steps] == [1, 2, 3, 4, 5]
    assert [(s["actor"]["name"], s["actor"]["role"]) for s in steps] == [
        ("张明", "group_leader"),
        ("张明", "group_leader"),
        ("张明", "group_leader"),
        ("赵村干", "village_committee"),
        ("李华", "inspector"),
    ]
    assert steps[0]["actor"]["staff_id"] == "s-1"
    assert steps[3]["actor"]["staff_id"] is None  # a village login is not on the staff
    assert steps[3]["label"] == "报告整改完成"
    assert steps[3]["changes"]["note"] == "灭火器已更换"
    assert steps[3]["evidence"] == [{"evidence_id": photo_id, "url": f"/v1/evidence/{photo_id}"}]
    assert steps[2]["changes"]["responsible_person_name"] == "王建国"
    assert "hazard_id" not in steps[0]["changes"]
    assert [s["at"] for s in steps] == sorted(s["at"] for s in steps)

    english = await svc.client.get(
        f"{base}/history", headers=leader(svc) | {"Accept-Language": "en"}
    )
    assert english.json()["steps"][4]["label"] == "Verified on site, closed"

    inspection = await svc.client.get(
        f"/v1/inspections/{inspection_id}/history", headers=leader(svc)
    )
    assert inspection.status_code == 200, inspection.text
    (completed,) = inspection.json()["steps"]
    assert completed["step"] == "InspectionCompleted"
    assert completed["actor"] == {"staff_id": "s-1", "name": "张明", "role": "group_leader"}
    assert completed["changes"]["hazard_ids"] == [hazard_id]


async def test_the_events_on_the_topic_are_v2_and_carry_the_actor(svc: Harness) -> None:
    _, hazard_id = await found_hazard(svc, "site-history-2")
    base = f"/v1/hazards/{hazard_id}"
    await post(svc, f"{base}/notify", {"told_person_name": "王建国", "signed": True}, leader(svc))
    await post(svc, f"{base}/assign", {"responsible_person_name": "王建国"}, leader(svc))
    await post(svc, f"{base}/report", {"note": "已整改"}, village(svc))

    def reported(decoded: list[Any]) -> bool:
        return any(
            isinstance(e, RectificationReported) and e.hazard_id == hazard_id for _, e in decoded
        )

    decoded = await svc.hazards_on_kafka(reported)
    mine = [(env, e) for env, e in decoded if env.aggregateid == hazard_id]
    assert {env.schemaversion for env, _ in mine} == {2}
    (report,) = [e for _, e in mine if isinstance(e, RectificationReported)]
    assert report.actor is not None and report.actor.name == "赵村干"


async def test_history_follows_the_tenancy_rules(svc: Harness) -> None:
    inspection_id, hazard_id = await found_hazard(svc, "site-history-3")
    other = svc.headers(Role.VILLAGE_COMMITTEE, village="v-other", name="钱村干")

    missing = await svc.client.get("/v1/hazards/no-such-hazard/history", headers=leader(svc))
    assert missing.status_code == 404
    for path in (f"/v1/hazards/{hazard_id}/history", f"/v1/inspections/{inspection_id}/history"):
        assert (await svc.client.get(path, headers=other)).status_code == 403
        assert (await svc.client.get(path)).status_code == 401
