"""Proof of presence in the ledgers: the presence flags the hazards service publishes with
an inspection and a verification show on the hazard list, over HTTP and in the XLSX."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from crosscheck_contracts.base import Event
from crosscheck_contracts.events import (
    HazardFound,
    InspectionCompleted,
    Presence,
    PresenceFlag,
    RectificationVerified,
    SiteRegistered,
    TownshipRegistered,
    VillageRegistered,
)
from crosscheck_contracts.samples import FOUND_AT, TENANT, sample, sample_envelope
from crosscheck_ledgers.scenario import Produced
from crosscheck_platform.testing.fixtures import new_namespace
from crosscheck_platform.testing.infra import Infra

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

        book = await live.get("/v1/exports/ledgers.xlsx", admin(TENANT))
        sheet = load_workbook(io.BytesIO(book.content))["隐患清单"]
        header, *body = sheet.iter_rows(min_row=2, values_only=True)
        column = header.index("到场核验")
        assert [row[column] for row in body] == [
            "检查: 在场; 复核: 无定位信息",
            "检查: 拍摄位置超出场所范围、拍摄时间早于该环节",
        ]
