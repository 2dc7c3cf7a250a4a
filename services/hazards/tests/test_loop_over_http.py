"""The whole loop through HTTP on the real stack (PostgreSQL, Kafka), and what it puts
on the hazards topic; concurrent verifiers; retried commands; assignment checks; closed
rounds."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from crosscheck_contracts.base import Event
from crosscheck_contracts.envelope import Envelope
from crosscheck_contracts.events import (
    HazardEscalated,
    HazardFound,
    HazardNotified,
    InspectionCompleted,
    RectificationAssigned,
    RectificationRejected,
    RectificationReported,
    RectificationVerified,
    RoundClosed,
)
from crosscheck_contracts.events.registry import SiteType
from crosscheck_hazards.adapters.checklist_data import standard_library
from crosscheck_platform.auth import Role
from crosscheck_testing.infra import Infra
from crosscheck_testing.tenancy import assert_out_of_scope

from .harness import CAMPAIGN, VILLAGE, Harness, base_inventory, round_plan, running_service

pytestmark = pytest.mark.infra

OPEN_SITES = [
    "site-loop",
    "site-race",
    "site-retry",
    "site-pdf",
    "site-notice",
    "site-notes",
    "site-staff",
    "site-outside",
]
ITEMS = standard_library().checklist_for(SiteType.SMALL_RESTAURANT).item_ids


@pytest.fixture(scope="module")
async def svc(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running_service(infra, tmp_path_factory.mktemp("evidence")) as harness:
        await harness.publish(
            [
                *base_inventory(OPEN_SITES, closed_site="site-closed"),
                round_plan(1, OPEN_SITES[:-1], ["site-outside"]),
                round_plan(2, ["site-outside"], ["site-loop"]),
            ]
        )
        await harness.wait_for_inventory(
            round_sites=len(OPEN_SITES) + 2, known_sites=len(OPEN_SITES) + 1
        )
        yield harness


def inspection(
    site_id: str,
    failed: dict[str, dict[str, Any]],
    *,
    group: str = "g-1",
    round_no: int = 1,
    **extra: Any,
) -> dict[str, Any]:
    answers = [{"item_id": i, "passed": True} for i in ITEMS if i not in failed]
    answers += [{"item_id": i, "passed": False, **spec} for i, spec in failed.items()]
    return {
        "campaign_id": CAMPAIGN,
        "round_no": round_no,
        "site_id": site_id,
        "group_id": group,
        "present_staff_ids": ["s-1", "s-2"],
        "answers": answers,
        **extra,
    }


async def record(svc: Harness, body: dict[str, Any], **headers: Any) -> dict[str, Any]:
    response = await svc.client.post(
        "/v1/inspections", json=body, headers=svc.headers(Role.GROUP_LEADER, "s-1", **headers)
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def command(
    svc: Harness, hazard_id: str, name: str, body: dict[str, Any], headers: dict[str, str]
) -> Any:
    response = await svc.client.post(f"/v1/hazards/{hazard_id}/{name}", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def to_reported(svc: Harness, hazard_id: str) -> None:
    leader = svc.headers(Role.GROUP_LEADER, "s-1")
    await command(svc, hazard_id, "notify", {"told_person_name": "王建国", "signed": True}, leader)
    await command(
        svc,
        hazard_id,
        "assign",
        {"responsible_person_name": "王建国", "responsible_staff_id": "s-9"},
        leader,
    )
    village = svc.headers(Role.VILLAGE_COMMITTEE, village=VILLAGE)
    await command(svc, hazard_id, "report", {"note": "已整改"}, village)


def types_by_aggregate(decoded: list[tuple[Envelope, Event]]) -> dict[str, list[type[Event]]]:
    streams: dict[str, list[tuple[int, type[Event]]]] = {}
    for envelope, event in decoded:
        streams.setdefault(envelope.aggregateid, []).append(
            (envelope.aggregateversion, type(event))
        )
    return {k: [t for _, t in sorted(v)] for k, v in streams.items()}


async def test_the_whole_loop_and_its_events_on_kafka(svc: Harness) -> None:
    recorded = await record(
        svc,
        inspection(
            "site-loop",
            {
                "food.expired": {"description": "冰柜内发现过期牛奶3盒"},
                "gas.hose": {"severity": "major", "description": "燃气软管老化开裂"},
            },
        ),
    )
    assert recorded["items_failed"] == 2
    by_item = {h["checklist_item_id"]: h for h in recorded["hazards"]}
    milk, hose = by_item["food.expired"]["hazard_id"], by_item["gas.hose"]["hazard_id"]
    assert by_item["gas.hose"]["escalation"] == "township_leadership"

    leader = svc.headers(Role.GROUP_LEADER, "s-1")
    inspector = svc.headers(Role.INSPECTOR, "s-2")
    village = svc.headers(Role.VILLAGE_COMMITTEE, village=VILLAGE)
    notified = await command(
        svc, milk, "notify", {"told_person_name": "王建国", "signed": True}, leader
    )
    assert notified["state"] == "notified"
    assigned = await command(svc, milk, "assign", {"responsible_person_name": "王建国"}, leader)
    assert assigned["supervising_village_id"] == VILLAGE
    assert assigned["deadline"] is not None
    svc.clock.advance(timedelta(days=2))
    await command(svc, milk, "report", {"note": "已下架销毁"}, village)
    rejected = await command(svc, milk, "reject", {"reason": "仍有临期食品未清理"}, inspector)
    assert rejected["state"] == "rejected"
    assert rejected["rejections"] == 1
    await command(svc, milk, "report", {"note": "已全部清理并建立台账"}, village)
    closed = await command(svc, milk, "verify", {"note": "复核合格"}, inspector)
    assert closed["state"] == "verified"
    assert closed["allowed_commands"] == []

    again = await svc.client.post(f"/v1/hazards/{milk}/verify", json={}, headers=inspector)
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "state_conflict"
    assert "verified" in error["message"] and "不能执行" in error["message"]
    assert error["detail"]["allowed_commands"] == []

    listed = await svc.client.get(
        f"/v1/inspections/{recorded['inspection_id']}/hazards", headers=leader
    )
    assert {h["hazard_id"]: h["state"] for h in listed.json()} == {milk: "verified", hose: "found"}

    expected: dict[str, list[type[Event]]] = {
        recorded["inspection_id"]: [InspectionCompleted],
        milk: [
            HazardFound,
            HazardNotified,
            RectificationAssigned,
            RectificationReported,
            RectificationRejected,
            RectificationReported,
            RectificationVerified,
        ],
        hose: [HazardFound, HazardEscalated],
    }

    def complete(decoded: list[tuple[Envelope, Event]]) -> bool:
        streams = types_by_aggregate(decoded)
        return all(len(streams.get(k, [])) >= len(v) for k, v in expected.items())

    decoded = await svc.hazards_on_kafka(complete)
    streams = types_by_aggregate(decoded)
    assert {k: streams.get(k) for k in expected} == expected
    milk_found = next(e for env, e in decoded if isinstance(e, HazardFound) and e.hazard_id == milk)
    assert milk_found.description == "冰柜内发现过期牛奶3盒"
    envelopes = [env for env, _ in decoded if env.aggregateid == milk]
    assert {(env.township, env.county) for env in envelopes} == {("532327101", "532327")}

    # The same place and item in the next round, after closure: a recurrence. Round 2
    # sends group 2 to this place; one of its members records it.
    response = await svc.client.post(
        "/v1/inspections",
        json=inspection("site-loop", {"food.expired": {}}, group="g-2", round_no=2)
        | {"present_staff_ids": ["s-3"]},
        headers=svc.headers(Role.INSPECTOR, "s-3"),
    )
    assert response.status_code == 201, response.text
    [again_found] = response.json()["hazards"]
    assert again_found["recurrence_of"] == milk


async def test_two_verifiers_at_the_same_moment(svc: Harness) -> None:
    recorded = await record(svc, inspection("site-race", {"exit.clear": {}}))
    [hazard] = recorded["hazards"]
    hazard_id = hazard["hazard_id"]
    await to_reported(svc, hazard_id)
    before = await svc.runtime.event_store.stream_version(hazard_id)

    async def verify(staff: str) -> int:
        response = await svc.client.post(
            f"/v1/hazards/{hazard_id}/verify",
            json={"note": f"{staff} 复核"},
            headers=svc.headers(Role.INSPECTOR, staff),
        )
        return response.status_code

    statuses = await asyncio.gather(verify("s-1"), verify("s-2"))
    assert sorted(statuses) == [200, 409]
    history = await svc.runtime.event_store.read(hazard_id)
    verified = [e.event for e in history if isinstance(e.event, RectificationVerified)]
    assert len(verified) == 1
    assert [e.version for e in history] == list(range(1, before + 2))  # nothing lost
    state = await svc.db.fetchval("SELECT state FROM hazard_index WHERE hazard_id = $1", hazard_id)
    assert state == "verified"


async def test_a_retried_command_returns_the_first_answer_and_emits_nothing(
    svc: Harness,
) -> None:
    body = inspection("site-retry", {"fire.extinguisher": {}})
    first = await record(svc, body, key="retry-inspection-0001")
    events_before = await svc.db.fetchval("SELECT count(*) FROM events")
    retried = await svc.client.post(
        "/v1/inspections",
        json=body,
        headers=svc.headers(Role.GROUP_LEADER, "s-1", key="retry-inspection-0001"),
    )
    assert retried.status_code == 201
    assert retried.json() == first
    assert retried.headers["idempotent-replayed"] == "true"
    assert await svc.db.fetchval("SELECT count(*) FROM events") == events_before

    # Without the key the same recording is a conflict: one inspection per place and round.
    duplicate = await svc.client.post(
        "/v1/inspections", json=body, headers=svc.headers(Role.GROUP_LEADER, "s-1")
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["detail"]["inspection_id"] == first["inspection_id"]

    [hazard] = first["hazards"]
    notify = {"told_person_name": "王建国", "signed": False}
    headers = svc.headers(Role.GROUP_LEADER, "s-1", key="retry-notify-000001")
    url = f"/v1/hazards/{hazard['hazard_id']}/notify"
    answers = [await svc.client.post(url, json=notify, headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[1].json() == answers[0].json() == answers[2].json()
    assert await svc.runtime.event_store.stream_version(hazard["hazard_id"]) == 2

    reused = await svc.client.post(
        url, json={"told_person_name": "别人", "signed": True}, headers=headers
    )
    assert reused.status_code == 422
    assert reused.json()["error"]["message"] == "该幂等键已用于另一个不同的请求"


async def test_recording_outside_the_assignment_is_refused_and_the_override_works(
    svc: Harness,
) -> None:
    body = inspection("site-outside", {"elec.wiring": {}})  # round 1 sent group 2 there
    refused = await svc.client.post(
        "/v1/inspections", json=body, headers=svc.headers(Role.GROUP_LEADER, "s-1")
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_assigned"
    assert "未被分派" in refused.json()["error"]["message"]

    in_english = await svc.client.post(
        "/v1/inspections",
        json=body,
        headers=svc.headers(Role.GROUP_LEADER, "s-1") | {"Accept-Language": "en"},
    )
    assert "not assigned" in in_english.json()["error"]["message"]

    admin = svc.headers(Role.TOWNSHIP_ADMIN, "s-admin")
    no_reason = await svc.client.post("/v1/inspections", json=body, headers=admin)
    assert no_reason.status_code == 422
    reason = "第二检查组因防汛抽调,经乡安全办同意由第一检查组代查"
    overridden = await svc.client.post(
        "/v1/inspections", json=body | {"override_reason": reason}, headers=admin
    )
    assert overridden.status_code == 201, overridden.text
    assert overridden.json()["override_reason"] == reason

    decoded = await svc.hazards_on_kafka(
        lambda d: any(
            isinstance(e, InspectionCompleted) and e.site_id == "site-outside" for _, e in d
        )
    )
    [completed] = [
        e for _, e in decoded if isinstance(e, InspectionCompleted) and e.site_id == "site-outside"
    ]
    assert completed.override_reason == reason


async def test_a_closed_round_refuses_groups_but_an_admin_records_late_with_a_reason(
    svc: Harness,
) -> None:
    await svc.publish([round_plan(3, ["site-loop", "site-race"], ["site-outside"])])
    await svc.wait_for("SELECT count(*) FROM round_sites WHERE round_no = 3", expect=3)
    before_closure = await record(svc, inspection("site-race", {"exit.clear": {}}, round_no=3))
    [hazard] = before_closure["hazards"]

    await svc.publish([RoundClosed(campaign_id=CAMPAIGN, round_no=3)])
    await svc.wait_for("SELECT count(*) FROM closed_rounds WHERE round_no = 3", expect=1)

    body = inspection("site-loop", {"elec.wiring": {}}, round_no=3)
    leader = svc.headers(Role.GROUP_LEADER, "s-1")
    refused = await svc.client.post("/v1/inspections", json=body, headers=leader)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "round_closed"
    assert refused.json()["error"]["message"] == (
        f"检查活动 {CAMPAIGN} 第 3 轮已结束,检查组不能再登记该轮检查;"
        "如需补录(如纸质检查表),须由乡镇管理员填写原因后办理"
    )
    in_english = await svc.client.post(
        "/v1/inspections", json=body, headers=leader | {"Accept-Language": "en"}
    )
    assert in_english.json()["error"]["message"].startswith(
        f"Round 3 of campaign {CAMPAIGN} is closed"
    )

    admin = svc.headers(Role.TOWNSHIP_ADMIN, "s-admin")
    no_reason = await svc.client.post("/v1/inspections", json=body, headers=admin)
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["message"] == (
        f"检查活动 {CAMPAIGN} 第 3 轮已结束,补录该轮检查必须填写原因"
    )
    reason = "第3轮纸质检查表,轮次结束后由乡安全办补录"
    late = await svc.client.post(
        "/v1/inspections", json=body | {"override_reason": reason}, headers=admin
    )
    assert late.status_code == 201, late.text
    assert late.json()["override_reason"] == reason

    def late_completion(decoded: list[tuple[Envelope, Event]]) -> list[InspectionCompleted]:
        return [
            e
            for _, e in decoded
            if isinstance(e, InspectionCompleted) and (e.site_id, e.round_no) == ("site-loop", 3)
        ]

    decoded = await svc.hazards_on_kafka(lambda d: bool(late_completion(d)))
    [completed] = late_completion(decoded)
    assert completed.override_reason == reason
    assert completed.items_failed == 1

    # Closing the round leaves its hazards' rectification alone: open until verified.
    await to_reported(svc, hazard["hazard_id"])
    verified = await command(
        svc, hazard["hazard_id"], "verify", {"note": "复核合格"}, svc.headers(Role.INSPECTOR, "s-2")
    )
    assert verified["state"] == "verified"


async def test_places_off_the_inventory_or_closed_get_a_clear_error(svc: Harness) -> None:
    admin = svc.headers(Role.TOWNSHIP_ADMIN, "s-admin")
    closed = await svc.client.post(
        "/v1/inspections",
        json=inspection("site-closed", {}, override_reason="核查"),
        headers=admin,
    )
    assert closed.status_code == 422
    assert closed.json()["error"]["message"] == (
        "场所 site-closed 已关闭或移出底数清单,不能登记检查"
    )
    unknown = await svc.client.post(
        "/v1/inspections", json=inspection("site-nowhere", {}), headers=admin
    )
    assert unknown.status_code == 422
    assert "不在本乡镇底数清单中" in unknown.json()["error"]["message"]

    other_township = svc.headers(Role.TOWNSHIP_ADMIN, "s-x", township="532327102")
    hidden = await svc.client.post(
        "/v1/inspections", json=inspection("site-loop", {}), headers=other_township
    )
    assert hidden.status_code == 422  # that township has no such place


async def test_roles_and_separation_of_duties(svc: Harness) -> None:
    recorded = await record(svc, inspection("site-pdf", {"gas.cylinder": {}}))
    [hazard] = recorded["hazards"]
    hazard_id = hazard["hazard_id"]
    await to_reported(svc, hazard_id)  # responsible staff is s-9

    responsible = await svc.client.post(
        f"/v1/hazards/{hazard_id}/verify", json={}, headers=svc.headers(Role.INSPECTOR, "s-9")
    )
    assert responsible.status_code == 403
    assert responsible.json()["error"]["message"] == "整改责任人不能复核自己的整改"

    village = await svc.client.post(
        f"/v1/hazards/{hazard_id}/verify",
        json={},
        headers=svc.headers(Role.VILLAGE_COMMITTEE, village=VILLAGE),
    )
    assert village.status_code == 403

    elsewhere = await svc.client.get(
        f"/v1/hazards/{hazard_id}", headers=svc.headers(Role.TOWNSHIP_ADMIN, township="532327102")
    )
    assert_out_of_scope(elsewhere)


async def test_the_rectification_notice_as_html_and_pdf(svc: Harness) -> None:
    recorded = await record(
        svc,
        inspection(
            "site-notice",
            {
                "food.expired": {"description": "货架上有过期方便面5袋"},
                "other.living_mixed": {"description": "后厨阁楼住人,与经营场所未分隔"},
            },
        ),
    )
    by_item = {h["checklist_item_id"]: h["hazard_id"] for h in recorded["hazards"]}
    leader = svc.headers(Role.GROUP_LEADER, "s-1")
    noodles = by_item["food.expired"]
    await command(svc, noodles, "notify", {"told_person_name": "王建国", "signed": True}, leader)
    deadline = "2031-06-30T15:59:00+00:00"  # 23:59 on 30 June in Asia/Shanghai
    await command(
        svc,
        noodles,
        "assign",
        {"responsible_person_name": "王建国", "deadline": deadline},
        leader,
    )
    url = f"/v1/inspections/{recorded['inspection_id']}/notice"
    village = svc.headers(Role.VILLAGE_COMMITTEE, village=VILLAGE)

    page = await svc.client.get(url, headers=village)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    for text in (
        "隐患整改通知书",
        "货架上有过期方便面5袋",
        "后厨阁楼住人,与经营场所未分隔",
        "2031年06月30日 23:59",
        "老王饭店",
        "第一检查组",
        "大庄村委会",
        "场所负责人(签字)",
        "立即下架并销毁过期变质食品",
        "挂牌督办",
    ):
        assert text in html, text

    pdf = await svc.client.get(url + ".pdf", headers=village)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    # fpdf2 embeds a two-byte encoding CMap for the CID font; pypdf reads its codes one
    # byte at a time, so every character's high byte comes out as U+0000. Dropping
    # those and the layout whitespace leaves the text as printed.
    raw = "".join(p.extract_text() for p in reader.pages)
    text = "".join(raw.replace("\x00", "").split())
    for expected in (
        "隐患整改通知书",
        "货架上有过期方便面5袋",
        "后厨阁楼住人,与经营场所未分隔",
        "2031年06月30日23:59",
        "老王饭店",
        "检查组成员(签字)",
    ):
        assert expected in text, expected
    fonts: set[str] = set()
    for pdf_page in reader.pages:
        resources: Any = pdf_page["/Resources"]
        fonts |= {str(f.get_object()["/BaseFont"]) for f in resources["/Font"].values()}
    assert any(f.endswith("+NotoSansCJKSC") for f in fonts), fonts  # embedded subset


async def test_inspection_notes_come_back_with_the_inspection(svc: Harness) -> None:
    notes = "后厨灭火器已过期，负责人称本周内更换。"
    recorded = await record(svc, inspection("site-notes", {}, notes=notes))
    assert recorded["notes"] == notes
    url = f"/v1/inspections/{recorded['inspection_id']}"
    response = await svc.client.get(url, headers=svc.headers(Role.GROUP_LEADER, "s-1"))
    assert response.status_code == 200, response.text
    read = response.json()
    assert read["notes"] == notes
    assert read["checklist_version"] == recorded["checklist_version"]
    assert read["site_id"] == "site-notes"


async def test_present_staff_outside_the_group_get_a_clear_error(svc: Harness) -> None:
    body = inspection("site-staff", {}) | {"present_staff_ids": ["s-1", "s-9"]}
    leader = svc.headers(Role.GROUP_LEADER, "s-1")
    refused = await svc.client.post("/v1/inspections", json=body, headers=leader)
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == (
        "在场检查人员 s-9 不是检查组 第一检查组 的成员;如确需替换人员,须由乡镇管理员填写原因后办理"
    )
    english = await svc.client.post(
        "/v1/inspections", json=body, headers=leader | {"Accept-Language": "en"}
    )
    assert english.status_code == 422
    assert english.json()["error"]["message"].startswith(
        "Staff s-9 recorded as present are not members of group 第一检查组"
    )
