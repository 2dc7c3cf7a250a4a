"""Evidence, township checklist items, manual escalation and deadline extensions,
driven through HTTP on the real stack (PostgreSQL, Kafka), with the events they put
on the hazards topic and the errors township staff see when they get something wrong."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from crosscheck_contracts.base import Event
from crosscheck_contracts.envelope import Envelope
from crosscheck_contracts.events import (
    DeadlineExtended,
    HazardEscalated,
    HazardFound,
    RectificationReported,
)
from crosscheck_contracts.events.hazards import (
    EscalationCause,
    EscalationLevel,
    HazardCategory,
    Severity,
)
from crosscheck_contracts.events.registry import SiteType
from crosscheck_hazards.adapters.checklist_data import standard_library
from crosscheck_hazards.app.evidence import MAX_BYTES
from crosscheck_platform.auth import Principal, Role
from crosscheck_testing.infra import Infra
from crosscheck_testing.tenancy import assert_out_of_scope

from .harness import (
    CAMPAIGN,
    TENANT,
    VILLAGE,
    Harness,
    base_inventory,
    round_plan,
    running_service,
    site,
)

pytestmark = pytest.mark.infra

RESTAURANTS = [
    "site-evidence",
    "site-approver",
    "site-unknown-evidence",
    "site-escalate",
    "site-major",
    "site-extend",
]
HOTEL = "site-hotel"
SECOND_GROUPS_SITE = "site-elsewhere"  # a round plan gives every group a place
OTHER_TOWNSHIP = "532327102"
OTHER_COUNTY = "532328"
RESTAURANT_ITEMS = standard_library().checklist_for(SiteType.SMALL_RESTAURANT).item_ids
HOTEL_ITEMS = standard_library().checklist_for(SiteType.SMALL_HOTEL).item_ids
# Small made-up payloads: the service checks a file's signature (its first bytes) against
# the declared type, and does not decode images.
JPEG_START = b"\xff\xd8\xff\xe0"
PHOTO = b"\x89PNG\r\n\x1a\n" + b"found-photo" * 50
FIX_PHOTO = JPEG_START + b"fixed-photo" * 50


@pytest.fixture(scope="module")
async def svc(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running_service(infra, tmp_path_factory.mktemp("evidence")) as harness:
        await harness.publish(
            [
                *base_inventory([*RESTAURANTS, SECOND_GROUPS_SITE], closed_site="site-gone"),
                site(HOTEL, SiteType.SMALL_HOTEL, name="大庄客栈"),
                round_plan(1, [*RESTAURANTS, HOTEL], [SECOND_GROUPS_SITE]),
            ]
        )
        await harness.wait_for_inventory(
            round_sites=len(RESTAURANTS) + 2, known_sites=len(RESTAURANTS) + 3
        )
        yield harness


def inspection(
    site_id: str, items: tuple[str, ...], failed: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    answers = [{"item_id": i, "passed": True} for i in items if i not in failed]
    answers += [{"item_id": i, "passed": False, **spec} for i, spec in failed.items()]
    return {
        "campaign_id": CAMPAIGN,
        "round_no": 1,
        "site_id": site_id,
        "group_id": "g-1",
        "present_staff_ids": ["s-1", "s-2"],
        "answers": answers,
    }


async def record(svc: Harness, body: dict[str, Any]) -> dict[str, Any]:
    response = await svc.client.post(
        "/v1/inspections", json=body, headers=svc.headers(Role.GROUP_LEADER, "s-1")
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def command(
    svc: Harness, hazard_id: str, name: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    response = await svc.client.post(f"/v1/hazards/{hazard_id}/{name}", json=body, headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def notify_and_assign(svc: Harness, hazard_id: str, **assign: Any) -> dict[str, Any]:
    leader = svc.headers(Role.GROUP_LEADER, "s-1")
    await command(svc, hazard_id, "notify", {"told_person_name": "王建国", "signed": True}, leader)
    return await command(
        svc, hazard_id, "assign", {"responsible_person_name": "王建国", **assign}, leader
    )


async def upload(svc: Harness, data: bytes, kind: str, headers: dict[str, str]) -> Any:
    return await svc.client.post(
        "/v1/evidence", content=data, headers=headers | {"Content-Type": kind}
    )


async def events_of(svc: Harness, hazard_id: str, count: int) -> list[Event]:
    """The hazard's events on Kafka in stream order, once `count` of them are there."""

    def mine(decoded: list[tuple[Envelope, Event]]) -> list[tuple[Envelope, Event]]:
        return [(env, e) for env, e in decoded if env.aggregateid == hazard_id]

    decoded = await svc.hazards_on_kafka(lambda d: len(mine(d)) >= count)
    return [e for _, e in sorted(mine(decoded), key=lambda pair: pair[0].aggregateversion)]


def error_of(response: Any) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["error"]
    return error


def field_errors(response: Any) -> dict[str, str]:
    return {f["field"]: f["message"] for f in error_of(response)["detail"]["fields"]}


def in_days(svc: Harness, days: int) -> datetime:
    return svc.clock() + timedelta(days=days)


# -- evidence -----------------------------------------------------------------------


async def test_evidence_is_stored_read_back_and_carried_by_findings_and_reports(
    svc: Harness,
) -> None:
    leader = svc.headers(Role.GROUP_LEADER, "s-1")
    uploaded = await upload(svc, PHOTO, "image/png", leader)
    assert uploaded.status_code == 201, uploaded.text
    photo_id = uploaded.json()["evidence_id"]
    assert photo_id.startswith("ev-")
    again = await upload(svc, PHOTO, "image/png; charset=binary", leader)
    assert again.json()["evidence_id"] == photo_id  # the same photo is stored once

    # The village committee reads it once a finding of its village cites it.
    village = svc.headers(Role.VILLAGE_COMMITTEE, village=VILLAGE)
    assert_out_of_scope(await svc.client.get(f"/v1/evidence/{photo_id}", headers=village))

    recorded = await record(
        svc,
        inspection(
            "site-evidence",
            RESTAURANT_ITEMS,
            {"elec.wiring": {"description": "后厨电线私拉乱接", "evidence_ids": [photo_id]}},
        ),
    )
    [found] = recorded["hazards"]
    hazard_id = found["hazard_id"]
    shown = await svc.client.get(f"/v1/hazards/{hazard_id}", headers=village)
    assert shown.json()["evidence_ids"] == [photo_id]
    read = await svc.client.get(f"/v1/evidence/{photo_id}", headers=village)
    assert read.status_code == 200
    assert read.content == PHOTO
    assert read.headers["content-type"] == "image/png"

    await notify_and_assign(svc, hazard_id)
    fixed = await upload(svc, FIX_PHOTO, "image/jpeg", village)
    assert fixed.status_code == 201, fixed.text
    fix_id = fixed.json()["evidence_id"]
    reported = await command(
        svc, hazard_id, "report", {"note": "已重新布线", "evidence_ids": [fix_id]}, village
    )
    assert reported["state"] == "reported"
    fix_read = await svc.client.get(f"/v1/evidence/{fix_id}", headers=leader)
    assert (fix_read.content, fix_read.headers["content-type"]) == (FIX_PHOTO, "image/jpeg")

    events = await events_of(svc, hazard_id, 4)
    [hazard_found] = [e for e in events if isinstance(e, HazardFound)]
    assert hazard_found.evidence_ids == [photo_id]
    [report] = [e for e in events if isinstance(e, RectificationReported)]
    assert report.evidence_ids == [fix_id]


async def test_evidence_stays_in_its_township(svc: Harness) -> None:
    uploaded = await upload(
        svc, b"%PDF-1.4 township-only", "application/pdf", svc.headers(Role.INSPECTOR, "s-2")
    )
    assert uploaded.status_code == 201, uploaded.text
    evidence_id = uploaded.json()["evidence_id"]

    elsewhere = svc.headers(Role.TOWNSHIP_ADMIN, "s-x", township=OTHER_TOWNSHIP)
    assert_out_of_scope(await svc.client.get(f"/v1/evidence/{evidence_id}", headers=elsewhere))

    own = svc.headers(Role.TOWNSHIP_ADMIN, "s-admin")
    unknown = await svc.client.get("/v1/evidence/ev-" + "0" * 40, headers=own)
    assert unknown.status_code == 404
    malformed = await svc.client.get("/v1/evidence/..%2F..%2Fsecret", headers=own)
    assert malformed.status_code == 404
    anonymous = await svc.client.get(f"/v1/evidence/{evidence_id}")
    assert anonymous.status_code == 401


async def test_a_county_viewer_reads_the_evidence_of_its_county_only(svc: Harness) -> None:
    photo = b"\x89PNG\r\n\x1a\n county-viewer"
    uploaded = await upload(svc, photo, "image/png", svc.headers(Role.GROUP_LEADER, "s-1"))
    assert uploaded.status_code == 201, uploaded.text
    evidence_id = uploaded.json()["evidence_id"]

    county = svc.headers(Role.COUNTY_VIEWER, "s-county", township=None)
    read = await svc.client.get(f"/v1/evidence/{evidence_id}", headers=county)
    assert read.status_code == 200, read.text
    assert (read.content, read.headers["content-type"]) == (photo, "image/png")
    unknown = await svc.client.get("/v1/evidence/ev-" + "2" * 40, headers=county)
    assert unknown.status_code == 404

    # Another county's viewer and another township's inspector are refused.
    other_county = svc.headers(Role.COUNTY_VIEWER, "s-county", township=None, county=OTHER_COUNTY)
    assert_out_of_scope(await svc.client.get(f"/v1/evidence/{evidence_id}", headers=other_county))
    neighbour = svc.headers(Role.INSPECTOR, "s-x", township=OTHER_TOWNSHIP)
    assert_out_of_scope(await svc.client.get(f"/v1/evidence/{evidence_id}", headers=neighbour))


async def test_bad_evidence_gets_a_clear_error(svc: Harness) -> None:
    leader = svc.headers(Role.GROUP_LEADER, "s-1")
    empty = await upload(svc, b"", "image/png", leader)
    assert empty.status_code == 422
    assert error_of(empty)["message"] == "证据文件是空的"

    too_big = await upload(svc, JPEG_START + b"\0" * MAX_BYTES, "image/jpeg", leader)
    assert too_big.status_code == 413
    assert error_of(too_big)["code"] == "too_large"
    assert error_of(too_big)["message"] == "上传的文件超过 10 MB 的上限"
    at_limit = await upload(svc, JPEG_START + b"\1" * (MAX_BYTES - 4), "image/jpeg", leader)
    assert at_limit.status_code == 201, at_limit.text

    for kind in ("text/plain", "application/x-msdownload", "text/html", ""):
        refused = await upload(svc, b"MZ not a photo", kind, leader)
        assert refused.status_code == 415, kind
        assert error_of(refused)["code"] == "unsupported_media_type"
        assert error_of(refused)["message"] == (
            "证据文件类型不支持(支持 JPEG、PNG、WebP、HEIC 图片和 PDF)"
        )
    in_english = await upload(svc, b"MZ", "text/plain", leader | {"Accept-Language": "en"})
    assert error_of(in_english)["message"].startswith("Unsupported evidence type")

    viewer = svc.headers(Role.COUNTY_VIEWER, "s-county", township=None)
    read_only = await upload(svc, PHOTO, "image/png", viewer)
    assert read_only.status_code == 403
    assert error_of(read_only)["message"] == "当前角色无权执行此操作"


async def test_evidence_that_was_never_uploaded_here_is_refused(svc: Harness) -> None:
    """A finding or report citing a photo this township does not hold would cite it
    for good (events are never rewritten), so the command is refused instead."""
    elsewhere = svc.headers(Role.GROUP_LEADER, "s-1", township=OTHER_TOWNSHIP)
    foreign = await upload(svc, b"\x89PNG\r\n\x1a\n other township", "image/png", elsewhere)
    assert foreign.status_code == 201, foreign.text
    foreign_id = foreign.json()["evidence_id"]
    missing_id = "ev-" + "1" * 40
    leader = svc.headers(Role.GROUP_LEADER, "s-1")

    body = inspection(
        "site-unknown-evidence",
        RESTAURANT_ITEMS,
        {"food.storage": {"evidence_ids": [missing_id, foreign_id]}},
    )
    refused = await svc.client.post("/v1/inspections", json=body, headers=leader)
    assert refused.status_code == 422
    assert error_of(refused)["code"] == "rule_violation"
    assert error_of(refused)["message"] == (
        f"证据 {missing_id}, {foreign_id} 在本乡镇不存在,请先上传"
    )
    in_english = await svc.client.post(
        "/v1/inspections", json=body, headers=leader | {"Accept-Language": "en"}
    )
    assert error_of(in_english)["message"].startswith(f"Evidence {missing_id}, {foreign_id}")

    recorded = await record(
        svc, inspection("site-unknown-evidence", RESTAURANT_ITEMS, {"food.storage": {}})
    )
    [found] = recorded["hazards"]
    hazard_id = found["hazard_id"]
    await notify_and_assign(svc, hazard_id)
    village = svc.headers(Role.VILLAGE_COMMITTEE, village=VILLAGE)
    report = {"note": "已整改", "evidence_ids": [missing_id]}
    not_there = await svc.client.post(
        f"/v1/hazards/{hazard_id}/report", json=report, headers=village
    )
    assert not_there.status_code == 422
    assert missing_id in error_of(not_there)["message"]
    await command(svc, hazard_id, "report", {"note": "已整改"}, village)
    verify = {"note": "复核合格", "evidence_ids": [foreign_id]}
    inspector = svc.headers(Role.INSPECTOR, "s-2")
    not_ours = await svc.client.post(
        f"/v1/hazards/{hazard_id}/verify", json=verify, headers=inspector
    )
    assert not_ours.status_code == 422
    assert foreign_id in error_of(not_ours)["message"]
    shown = await svc.client.get(f"/v1/hazards/{hazard_id}", headers=village)
    assert shown.json()["state"] == "reported"


# -- township checklist items -------------------------------------------------------

GAS_CABINET: dict[str, Any] = {
    "key": "gas-cabinet",
    "category": "gas",
    "site_types": ["small_hotel"],
    "check": "液化气钢瓶是否存放在独立气瓶间",
    "check_en": "LPG cylinders are kept in a separate cylinder room",
    "hazard": "液化气钢瓶放置在客房走廊",
    "action": "设置独立气瓶间并安装燃气泄漏报警器",
    "severity": "general",
}


async def test_a_township_item_joins_the_checklist_and_can_be_failed(svc: Harness) -> None:
    admin = svc.headers(Role.TOWNSHIP_ADMIN, "s-admin")
    added = await svc.client.post("/v1/checklists/items", json=GAS_CABINET, headers=admin)
    assert added.status_code == 201, added.text
    item_id = added.json()["item_id"]
    assert item_id == f"t.{TENANT.township}.gas-cabinet"

    leader = svc.headers(Role.GROUP_LEADER, "s-1")
    hotel = await svc.client.get("/v1/checklists/small_hotel", headers=leader)
    assert hotel.status_code == 200
    [listed] = [i for i in hotel.json()["items"] if i["item_id"] == item_id]
    assert listed["check"] == GAS_CABINET["check"]
    assert listed["severity"] == "general"
    assert hotel.json()["version"].endswith("+1")
    restaurant = await svc.client.get("/v1/checklists/small_restaurant", headers=leader)
    assert item_id not in {i["item_id"] for i in restaurant.json()["items"]}
    elsewhere = await svc.client.get(
        "/v1/checklists/small_hotel",
        headers=svc.headers(Role.TOWNSHIP_ADMIN, "s-x", township=OTHER_TOWNSHIP),
    )
    assert item_id not in {i["item_id"] for i in elsewhere.json()["items"]}

    # The hotel's inspection must now answer the new item too.
    unanswered = await svc.client.post(
        "/v1/inspections", json=inspection(HOTEL, HOTEL_ITEMS, {}), headers=leader
    )
    assert unanswered.status_code == 422
    assert item_id in error_of(unanswered)["message"]

    recorded = await record(
        svc,
        inspection(
            HOTEL, (*HOTEL_ITEMS, item_id), {item_id: {"description": "三楼走廊放置液化气钢瓶2只"}}
        ),
    )
    assert recorded["checklist_version"] == hotel.json()["version"]
    [found] = recorded["hazards"]
    assert found["checklist_item_id"] == item_id
    [event] = [e for e in await events_of(svc, found["hazard_id"], 1) if isinstance(e, HazardFound)]
    assert event.checklist_item_id == item_id
    assert event.category is HazardCategory.GAS
    assert event.severity is Severity.GENERAL
    assert event.description == "三楼走廊放置液化气钢瓶2只"
    # The notice left with the place tells it what the township asks to be done.
    notice = await svc.client.get(
        f"/v1/inspections/{recorded['inspection_id']}/notice", headers=leader
    )
    assert notice.status_code == 200
    assert GAS_CABINET["action"] in notice.text


async def test_only_an_admin_adds_items_and_bad_items_get_a_clear_error(svc: Harness) -> None:
    admin = svc.headers(Role.TOWNSHIP_ADMIN, "s-admin")
    item = GAS_CABINET | {"key": "fire-blanket", "site_types": ["small_shop"]}

    leader = await svc.client.post(
        "/v1/checklists/items", json=item, headers=svc.headers(Role.GROUP_LEADER, "s-1")
    )
    assert leader.status_code == 403
    assert error_of(leader)["message"] == "当前角色无权执行此操作"

    bad_key = await svc.client.post(
        "/v1/checklists/items", json=item | {"key": "Fire Blanket!"}, headers=admin
    )
    assert bad_key.status_code == 422
    assert error_of(bad_key)["message"] == "提交的数据有误,请检查后重试"
    assert set(field_errors(bad_key)) == {"key"}

    incomplete = {k: v for k, v in item.items() if k != "check_en"} | {"site_types": []}
    missing = await svc.client.post("/v1/checklists/items", json=incomplete, headers=admin)
    assert missing.status_code == 422
    assert field_errors(missing) == {"check_en": "此项为必填项", "site_types": "内容过短"}
    english = await svc.client.post(
        "/v1/checklists/items", json=incomplete, headers=admin | {"Accept-Language": "en"}
    )
    assert field_errors(english)["check_en"] == "This field is required."

    unknown_type = await svc.client.post(
        "/v1/checklists/items", json=item | {"site_types": ["spaceport"]}, headers=admin
    )
    assert unknown_type.status_code == 422
    assert set(field_errors(unknown_type)) == {"site_types.0"}

    first = await svc.client.post("/v1/checklists/items", json=item, headers=admin)
    assert first.status_code == 201, first.text
    twice = await svc.client.post("/v1/checklists/items", json=item, headers=admin)
    assert twice.status_code == 409
    assert error_of(twice)["message"] == f"检查项 t.{TENANT.township}.fire-blanket 已存在"


# -- escalation ---------------------------------------------------------------------


async def test_manual_escalation_goes_up_only_and_reaches_kafka(svc: Harness) -> None:
    recorded = await record(
        svc,
        inspection("site-escalate", RESTAURANT_ITEMS, {"exit.clear": {}, "fire.extinguisher": {}}),
    )
    exit_id, extinguisher_id = (
        {h["checklist_item_id"]: h["hazard_id"] for h in recorded["hazards"]}[i]
        for i in ("exit.clear", "fire.extinguisher")
    )
    admin = svc.headers(Role.TOWNSHIP_ADMIN, "s-admin")
    url = f"/v1/hazards/{exit_id}/escalate"
    to_village = {"level": "village_committee", "reason": "场所负责人拒不整改"}

    for role, staff in ((Role.GROUP_LEADER, "s-1"), (Role.INSPECTOR, "s-2")):
        refused = await svc.client.post(url, json=to_village, headers=svc.headers(role, staff))
        assert refused.status_code == 403, role
    village = svc.headers(Role.VILLAGE_COMMITTEE, village=VILLAGE)
    assert (await svc.client.post(url, json=to_village, headers=village)).status_code == 403

    no_reason = await svc.client.post(url, json={"level": "county"}, headers=admin)
    assert no_reason.status_code == 422
    assert field_errors(no_reason) == {"reason": "此项为必填项"}
    blank = await svc.client.post(url, json={"level": "county", "reason": "  "}, headers=admin)
    assert blank.status_code == 422
    assert field_errors(blank) == {"reason": "内容过短"}
    bad_level = await svc.client.post(url, json={"level": "province", "reason": "x"}, headers=admin)
    assert bad_level.status_code == 422
    assert set(field_errors(bad_level)) == {"level"}

    first = await command(svc, exit_id, "escalate", to_village, admin)
    assert first["escalation"] == "village_committee"
    assert first["state"] == "found"  # escalation does not move the loop
    to_county = {"level": "county", "reason": "涉及消防通道,移交县消防救援大队"}
    second = await command(svc, exit_id, "escalate", to_county, admin)
    assert second["escalation"] == "county"
    lower = await svc.client.post(
        url, json={"level": "township_leadership", "reason": "再次督办"}, headers=admin
    )
    assert lower.status_code == 422
    assert error_of(lower)["message"] == "该隐患已上报至同级或更高层级督办"
    shown = await svc.client.get(f"/v1/hazards/{exit_id}", headers=village)
    assert shown.json()["escalation"] == "county"

    events = await events_of(svc, exit_id, 3)
    escalations = [e for e in events if isinstance(e, HazardEscalated)]
    assert [(e.level, e.reason) for e in escalations] == [
        (EscalationLevel.VILLAGE_COMMITTEE, "场所负责人拒不整改"),
        (EscalationLevel.COUNTY, "涉及消防通道,移交县消防救援大队"),
    ]

    # Once closed (销号) nothing more can happen to a hazard, escalation included.
    await notify_and_assign(svc, extinguisher_id, responsible_staff_id="s-9")
    await command(svc, extinguisher_id, "report", {"note": "已更换灭火器"}, village)
    blank_rejection = await svc.client.post(
        f"/v1/hazards/{extinguisher_id}/reject",
        json={"reason": "\t "},
        headers=svc.headers(Role.INSPECTOR, "s-2"),
    )
    assert field_errors(blank_rejection) == {"reason": "内容过短"}
    await command(svc, extinguisher_id, "verify", {}, svc.headers(Role.INSPECTOR, "s-2"))
    closed = await svc.client.post(
        f"/v1/hazards/{extinguisher_id}/escalate", json=to_county, headers=admin
    )
    assert closed.status_code == 409
    assert error_of(closed)["code"] == "state_conflict"
    assert error_of(closed)["message"] == (
        "隐患当前状态为 verified,不能执行 escalate;当前允许的操作:-"
    )


async def test_a_major_finding_is_escalated_without_anyone_asking(svc: Harness) -> None:
    recorded = await record(
        svc,
        inspection("site-major", RESTAURANT_ITEMS, {"gas.alarm": {"severity": "major"}}),
    )
    [found] = recorded["hazards"]
    assert found["escalation"] == "township_leadership"
    events = await events_of(svc, found["hazard_id"], 2)
    assert [type(e) for e in events] == [HazardFound, HazardEscalated]
    escalated = events[1]
    assert isinstance(escalated, HazardEscalated)
    assert escalated.level is EscalationLevel.TOWNSHIP_LEADERSHIP
    assert escalated.cause is EscalationCause.MAJOR_HAZARD and escalated.reason is None

    # A manual escalation must go higher than the automatic one.
    admin = svc.headers(Role.TOWNSHIP_ADMIN, "s-admin")
    same = await svc.client.post(
        f"/v1/hazards/{found['hazard_id']}/escalate",
        json={"level": "township_leadership", "reason": "再次督办"},
        headers=admin | {"Accept-Language": "en"},
    )
    assert same.status_code == 422
    assert error_of(same)["message"] == "The hazard is already escalated to this level or higher."


# -- deadline extension -------------------------------------------------------------


async def test_a_deadline_extension_needs_a_reason_and_an_admin(svc: Harness) -> None:
    recorded = await record(
        svc, inspection("site-extend", RESTAURANT_ITEMS, {"elec.protection": {}})
    )
    [found] = recorded["hazards"]
    hazard_id = found["hazard_id"]
    admin = svc.headers(Role.TOWNSHIP_ADMIN, "s-admin")
    url = f"/v1/hazards/{hazard_id}/extend"
    later = in_days(svc, 30).isoformat()

    too_early = await svc.client.post(
        url, json={"new_deadline": later, "reason": "等待电工"}, headers=admin
    )
    assert too_early.status_code == 409
    assert error_of(too_early)["message"] == (
        "隐患当前状态为 found,不能执行 extend;当前允许的操作:notify, escalate"
    )

    assigned = await notify_and_assign(svc, hazard_id, deadline=in_days(svc, 7).isoformat())
    assert assigned["state"] == "rectifying"
    first_deadline = assigned["deadline"]

    no_reason = await svc.client.post(url, json={"new_deadline": later}, headers=admin)
    assert no_reason.status_code == 422
    assert field_errors(no_reason) == {"reason": "此项为必填项"}
    blank_reason = await svc.client.post(
        url, json={"new_deadline": later, "reason": ""}, headers=admin
    )
    assert field_errors(blank_reason) == {"reason": "内容过短"}
    spaces_only = await svc.client.post(
        url, json={"new_deadline": later, "reason": " \u3000\n "}, headers=admin
    )
    assert spaces_only.status_code == 422  # a reason of blanks is no reason
    assert field_errors(spaces_only) == {"reason": "内容过短"}
    no_deadline = await svc.client.post(url, json={"reason": "等待电工"}, headers=admin)
    assert field_errors(no_deadline) == {"new_deadline": "此项为必填项"}
    naive = await svc.client.post(
        url, json={"new_deadline": "2031-01-01T12:00:00", "reason": "等待电工"}, headers=admin
    )
    assert naive.status_code == 422
    assert set(field_errors(naive)) == {"new_deadline"}

    # The approver is whoever grants it; on-site staff cannot extend their own deadlines.
    for role, staff in ((Role.GROUP_LEADER, "s-1"), (Role.INSPECTOR, "s-2")):
        refused = await svc.client.post(
            url,
            json={"new_deadline": later, "reason": "等待电工"},
            headers=svc.headers(role, staff),
        )
        assert refused.status_code == 403, role
    earlier = await svc.client.post(
        url, json={"new_deadline": in_days(svc, 3).isoformat(), "reason": "提前"}, headers=admin
    )
    assert earlier.status_code == 422
    assert error_of(earlier)["message"].startswith("延期后的期限必须晚于原期限")

    reason = "需更换整套漏电保护装置,配件需从县城采购"
    extended = await command(
        svc, hazard_id, "extend", {"new_deadline": later, "reason": reason}, admin
    )
    assert extended["state"] == "rectifying"
    assert datetime.fromisoformat(extended["deadline"]) == datetime.fromisoformat(later)
    shown = await svc.client.get(
        f"/v1/hazards/{hazard_id}", headers=svc.headers(Role.VILLAGE_COMMITTEE, village=VILLAGE)
    )
    assert datetime.fromisoformat(shown.json()["deadline"]) == datetime.fromisoformat(later)

    events = await events_of(svc, hazard_id, 4)
    [extension] = [e for e in events if isinstance(e, DeadlineExtended)]
    assert extension.previous_deadline == datetime.fromisoformat(first_deadline)
    assert extension.new_deadline == datetime.fromisoformat(later)
    assert extension.reason == reason
    assert extension.approved_by_staff_id == "s-admin"


def admin_account(svc: Harness, subject: str) -> dict[str, str]:
    """A township administrator whose account is not on the inspection staff."""
    principal = Principal(
        subject=subject,
        name="李主任",
        role=Role.TOWNSHIP_ADMIN,
        county=TENANT.county,
        township=TENANT.township,
    )
    return svc.infra.issuer.bearer(principal)


async def test_an_extension_records_an_admin_off_the_staff_list_by_user_id(svc: Harness) -> None:
    recorded = await record(svc, inspection("site-approver", RESTAURANT_ITEMS, {"gas.hose": {}}))
    [found] = recorded["hazards"]
    hazard_id = found["hazard_id"]
    assigned = await notify_and_assign(svc, hazard_id)
    url = f"/v1/hazards/{hazard_id}/extend"

    # An account id that cannot stand in an event as the approver: refused, not a crash.
    email = admin_account(svc, "li.zhuren@yongren.gov.cn")
    later = in_days(svc, 40).isoformat()
    unrecordable = await svc.client.post(
        url, json={"new_deadline": later, "reason": "等待燃气公司上门"}, headers=email
    )
    assert unrecordable.status_code == 422, unrecordable.text
    assert error_of(unrecordable)["message"] == (
        "无法记录批准人:当前账号没有可登记的人员编号,请使用已登记人员编号的管理员账号"
    )
    unchanged = await svc.client.get(f"/v1/hazards/{hazard_id}", headers=email)
    assert unchanged.json()["deadline"] == assigned["deadline"]

    granted = await svc.client.post(
        url,
        json={"new_deadline": later, "reason": "等待燃气公司上门"},
        headers=admin_account(svc, "user-3f9a2c71d0b4"),
    )
    assert granted.status_code == 200, granted.text
    events = await events_of(svc, hazard_id, 4)
    [extension] = [e for e in events if isinstance(e, DeadlineExtended)]
    assert extension.approved_by_staff_id == "user-3f9a2c71d0b4"
