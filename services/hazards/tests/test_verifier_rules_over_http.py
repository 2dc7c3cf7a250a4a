"""The verifier rules over HTTP, by the roles concerned: who reported a fix and the
responsible person never verify it; the finding group or a group rotated to the zone in
a later round does; an administrator may override with a reason, recorded as such; a
major hazard needs a photo taken after the report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from crosscheck_contracts.events import Assignment, RectificationVerified, RoundScheduled
from crosscheck_contracts.events.registry import SiteType
from crosscheck_hazards.adapters.checklist_data import standard_library
from crosscheck_platform.auth import Role
from crosscheck_testing.infra import Infra

from .harness import CAMPAIGN, VILLAGE, Harness, base_inventory, round_plan, running_service

pytestmark = pytest.mark.infra

ZONE_1 = ["site-v-report", "site-v-resp", "site-v-later", "site-v-major"]
ZONE_2 = ["site-v-zone2"]
ITEMS = standard_library().checklist_for(SiteType.SMALL_RESTAURANT).item_ids
PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"


@pytest.fixture(scope="module")
async def svc(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running_service(infra, tmp_path_factory.mktemp("evidence")) as harness:
        # Round 1: group 1 (s-1, s-2) in zone 1, group 2 (s-3, s-4) in zone 2.
        # Round 2: swapped, so group 1 may re-check zone 2's round-1 hazards.
        swapped = RoundScheduled(
            campaign_id=CAMPAIGN,
            round_no=2,
            assignments=[
                Assignment(group_id="g-1", zone_id="z-2", site_ids=ZONE_2),
                Assignment(group_id="g-2", zone_id="z-1", site_ids=["site-v-later"]),
            ],
            seed=11,
            objective=0,
            checks=[],
        )
        await harness.publish(
            [
                *base_inventory([*ZONE_1, *ZONE_2], closed_site="site-v-shut"),
                round_plan(1, ZONE_1, ZONE_2),
                swapped,
            ]
        )
        await harness.wait_for_inventory(round_sites=7, known_sites=6)
        yield harness


def staff(svc: Harness, staff_id: str, role: Role = Role.INSPECTOR, **extra: Any) -> Any:
    return svc.headers(role, staff_id, name=f"检查员{staff_id}", **extra)


async def post(svc: Harness, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    response = await svc.client.post(path, json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def reported_hazard(
    svc: Harness,
    site_id: str,
    *,
    group: str = "g-1",
    round_no: int = 1,
    reporter: dict[str, str] | None = None,
    responsible_staff_id: str | None = None,
    severity: str = "general",
    evidence_ids: tuple[str, ...] = (),
) -> str:
    leader = staff(svc, "s-1" if group == "g-1" else "s-3", Role.GROUP_LEADER)
    answers = [{"item_id": i, "passed": True} for i in ITEMS[1:]]
    answers.append({"item_id": ITEMS[0], "passed": False, "severity": severity})
    recorded = await post(
        svc,
        "/v1/inspections",
        {
            "campaign_id": CAMPAIGN,
            "round_no": round_no,
            "site_id": site_id,
            "group_id": group,
            "present_staff_ids": ["s-1", "s-2"] if group == "g-1" else ["s-3", "s-4"],
            "answers": answers,
        },
        leader,
    )
    hazard_id: str = recorded["hazards"][0]["hazard_id"]
    base = f"/v1/hazards/{hazard_id}"
    await post(svc, f"{base}/notify", {"told_person_name": "王建国", "signed": True}, leader)
    assign: dict[str, Any] = {"responsible_person_name": "王建国"}
    if responsible_staff_id:
        assign["responsible_staff_id"] = responsible_staff_id
    await post(svc, f"{base}/assign", assign, leader)
    village = svc.headers(Role.VILLAGE_COMMITTEE, village=VILLAGE, name="赵村干")
    await post(
        svc,
        f"{base}/report",
        {"note": "已整改", "evidence_ids": list(evidence_ids)},
        reporter or village,
    )
    return hazard_id


async def verify(
    svc: Harness, hazard_id: str, headers: dict[str, str], **body: Any
) -> tuple[int, Any]:
    response = await svc.client.post(f"/v1/hazards/{hazard_id}/verify", json=body, headers=headers)
    return response.status_code, response.json()


async def test_whoever_reported_the_fix_never_verifies_it(svc: Harness) -> None:
    hazard_id = await reported_hazard(svc, "site-v-report", reporter=staff(svc, "s-2"))

    status, body = await verify(svc, hazard_id, staff(svc, "s-2"))
    assert status == 403
    assert body["error"]["message"] == "报告整改完成的人不能复核该整改"
    status, body = await verify(svc, hazard_id, staff(svc, "s-2") | {"Accept-Language": "en"})
    assert (status, body["error"]["message"]) == (
        403,
        "Whoever reported the fix done cannot re-check it.",
    )

    status, body = await verify(svc, hazard_id, staff(svc, "s-1"))
    assert status == 200 and body["state"] == "verified"


async def test_the_responsible_person_never_verifies(svc: Harness) -> None:
    hazard_id = await reported_hazard(svc, "site-v-resp", responsible_staff_id="s-1")
    status, body = await verify(svc, hazard_id, staff(svc, "s-1", Role.GROUP_LEADER))
    assert status == 403
    assert body["error"]["message"] == "整改责任人不能复核自己的整改"
    assert (await verify(svc, hazard_id, staff(svc, "s-2")))[0] == 200


async def test_a_group_rotated_to_the_zone_later_verifies_others_do_not(svc: Harness) -> None:
    # Found by group 2 in zone 2 in round 1: group 1 has zone 2 in round 2.
    zone_2 = await reported_hazard(svc, "site-v-zone2", group="g-2")
    assert (await verify(svc, zone_2, staff(svc, "s-2")))[0] == 200

    # Found by group 2 in zone 1 in round 2: no later round, so group 1 may not.
    late = await reported_hazard(svc, "site-v-later", group="g-2", round_no=2)
    status, body = await verify(svc, late, staff(svc, "s-1"))
    assert status == 403
    assert body["error"]["message"].startswith("复核须由发现该隐患的检查组成员")
    assert (await verify(svc, late, staff(svc, "s-9")))[0] == 403  # in no group at all
    overriding = await verify(svc, late, staff(svc, "s-1"), override_reason="我想复核")
    assert overriding[0] == 403
    assert overriding[1]["error"]["message"] == "只有乡镇管理员可以越权复核"

    admin = staff(svc, "s-admin", Role.TOWNSHIP_ADMIN)
    status, body = await verify(svc, late, admin)
    assert (status, body["error"]["message"]) == (403, "管理员越权复核须填写理由")
    status, body = await verify(
        svc, late, admin, override_reason="第二组已解散,由乡安监办复核", note="现场复核合格"
    )
    assert status == 200, body

    history = await svc.client.get(f"/v1/hazards/{late}/history", headers=admin)
    verified = history.json()["steps"][-1]
    assert verified["step"] == "RectificationVerified"
    assert verified["changes"]["override_reason"] == "第二组已解散,由乡安监办复核"
    assert verified["actor"] == {
        "staff_id": "s-admin",
        "name": "检查员s-admin",
        "role": "township_admin",
    }

    def seen(decoded: list[Any]) -> bool:
        return any(isinstance(e, RectificationVerified) and e.hazard_id == late for _, e in decoded)

    on_topic = [
        e
        for _, e in await svc.hazards_on_kafka(seen)
        if isinstance(e, RectificationVerified) and e.hazard_id == late
    ]
    assert [e.override_reason for e in on_topic] == ["第二组已解散,由乡安监办复核"]


async def test_a_major_hazard_needs_a_photo_taken_after_the_report(svc: Harness) -> None:
    async def upload(content: bytes) -> str:
        photo = await svc.client.post(
            "/v1/evidence",
            content=content,
            headers=staff(svc, "s-1") | {"Content-Type": "image/png"},
        )
        assert photo.status_code == 201, photo.text
        evidence_id: str = photo.json()["evidence_id"]
        return evidence_id

    before = await upload(PNG + b"taken-before-the-report")
    svc.clock.advance(timedelta(minutes=1))
    hazard_id = await reported_hazard(
        svc, "site-v-major", severity="major", evidence_ids=(before,), reporter=staff(svc, "s-1")
    )
    status, body = await verify(svc, hazard_id, staff(svc, "s-2"))
    assert status == 422
    assert body["error"]["message"] == "重大隐患复核须附至少一张在报告整改完成之后拍摄的照片"
    assert (await verify(svc, hazard_id, staff(svc, "s-2"), evidence_ids=[before]))[0] == 422

    svc.clock.advance(timedelta(minutes=30))
    after = await upload(PNG + b"taken-on-site-at-the-re-check")
    status, body = await verify(svc, hazard_id, staff(svc, "s-2"), evidence_ids=[after])
    assert status == 200, body
    assert body["state"] == "verified"
