"""What the ledgers show of a hazard's loop beyond its state, over HTTP and in the XLSX:
the presence flags of its inspection and verification, who found, assigned and reported
it, the measures reported (整改措施) and the notice's file number (通知书文号)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from crosscheck_contracts.base import Event
from crosscheck_contracts.events import (
    Actor,
    HazardFound,
    InspectionCompleted,
    NoticeIssued,
    Presence,
    PresenceFlag,
    RectificationAssigned,
    RectificationReported,
    RectificationVerified,
    SiteRegistered,
    TownshipRegistered,
    VillageRegistered,
)
from crosscheck_contracts.samples import FOUND_AT, TENANT, sample, sample_envelope
from crosscheck_scenarios.ledgers import Produced
from crosscheck_testing.fixtures import new_namespace
from crosscheck_testing.infra import Infra

from .harness import admin, ledgers_service, produce

pytestmark = pytest.mark.infra


def produced(event: Event, version: int = 1) -> Produced:
    envelope = sample_envelope(event, aggregate_version=version)
    return Produced(event.context, envelope, event)


async def test_presence_flags_show_on_the_hazard_list_and_in_the_workbook(infra: Infra) -> None:
    far = Presence(
        radius_m=200, flags=[PresenceFlag.FAR_FROM_PLACE, PresenceFlag.TAKEN_BEFORE_STEP]
    )
    events = [
        produced(sample(TownshipRegistered)),
        produced(sample(VillageRegistered)),
        produced(sample(SiteRegistered)),
        # The sample inspection's evidence was taken on site; its hazard's re-check photo
        # has no position. A second inspection's photo is old and far away.
        produced(sample(InspectionCompleted)),
        produced(sample(HazardFound)),
        produced(sample(RectificationVerified), version=2),
        produced(sample(InspectionCompleted, inspection_id="inspection-0002", presence=far)),
        produced(
            sample(
                HazardFound,
                hazard_id="hazard-0002",
                inspection_id="inspection-0002",
                found_at=FOUND_AT + timedelta(hours=1),
            )
        ),
    ]
    async with ledgers_service(infra, new_namespace()) as live:
        await produce(infra.kafka_bootstrap, live.namespace, events)
        await live.wait_applied(len(events))
        answer = await live.get("/v1/ledgers/hazards", admin(TENANT))
        assert answer.status_code == 200, answer.text
        rows = {r["hazard_id"]: r for r in answer.json()["items"]}
        assert rows["hazard-0001"]["found_presence"] == []
        assert rows["hazard-0001"]["verify_presence"] == ["no_position"]
        assert rows["hazard-0002"]["found_presence"] == ["far_from_place", "taken_before_step"]
        assert rows["hazard-0002"]["verify_presence"] is None

        calibration = await live.get("/v1/calibration", admin(TENANT))
        (group,) = calibration.json()["groups"]
        assert (group["visits"], group["presence_flagged"]) == (2, 1)

        book = await live.get("/v1/exports/ledgers.xlsx", admin(TENANT))
        sheet = load_workbook(io.BytesIO(book.content))["隐患清单"]
        header, *body = sheet.iter_rows(min_row=2, values_only=True)
        column = header.index("到场核验")
        assert [row[column] for row in body] == [
            "检查: 在场; 复核: 无定位信息",
            "检查: 拍摄位置超出场所范围、拍摄时间早于该环节",
        ]


async def test_the_responsibility_list_names_who_did_each_step(infra: Infra) -> None:
    inspector = Actor(staff_id="staff-03", name="李检查", role="group_leader")
    village = Actor(name="赵村干", role="village_committee")
    events = [
        produced(sample(TownshipRegistered)),
        produced(sample(SiteRegistered)),
        produced(sample(HazardFound, actor=inspector)),
        produced(sample(RectificationAssigned, actor=inspector), version=3),
        produced(sample(RectificationReported, actor=village), version=4),
        produced(sample(NoticeIssued), version=2),  # on the inspection's stream
    ]
    async with ledgers_service(infra, new_namespace()) as live:
        await produce(infra.kafka_bootstrap, live.namespace, events)
        await live.wait_applied(len(events))
        answer = await live.get("/v1/ledgers/responsibility", admin(TENANT))
        (row,) = answer.json()["items"]
        assert (row["found_by_name"], row["assigned_by_name"], row["reported_by_name"]) == (
            "李检查",
            "李检查",
            "赵村干",
        )
        assert row["measures"] == "已更换灭火器"
        hazards = await live.get("/v1/ledgers/hazards", admin(TENANT))
        assert hazards.json()["items"][0]["notice_file_number"] == "维的乡互查整改〔2024〕第12号"

        book = load_workbook(
            io.BytesIO((await live.get("/v1/exports/ledgers.xlsx", admin(TENANT))).content)
        )
        header, line = book["责任清单"].iter_rows(min_row=2, max_row=3, values_only=True)
        shown = dict(zip(header, line, strict=True))
        assert (shown["发现人"], shown["交办人"], shown["报告人"]) == ("李检查", "李检查", "赵村干")
        assert shown["整改措施"] == "已更换灭火器" and shown["状态"] == "待复核"
        header, line = book["隐患清单"].iter_rows(min_row=2, max_row=3, values_only=True)
        listed = dict(zip(header, line, strict=True))
        assert listed["整改措施"] == "已更换灭火器"
        assert listed["通知书文号"] == "维的乡互查整改〔2024〕第12号"
