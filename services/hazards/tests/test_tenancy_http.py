"""Tenancy of hazards, inspections, notices and evidence by id: a village committee
reaches what concerns its own village (the place's, or the one supervising the fix);
another township, another county and another village are refused with the same 403;
an id nobody holds is 404."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from crosscheck_contracts.events import VillageRegistered
from crosscheck_contracts.events.registry import SiteType
from crosscheck_hazards.adapters.checklist_data import standard_library
from crosscheck_platform.auth import Role
from crosscheck_testing.infra import Infra
from crosscheck_testing.tenancy import assert_out_of_scope

from .harness import CAMPAIGN, TENANT, VILLAGE, Harness, base_inventory, round_plan, running_service
from .harness import site as registered_site

pytestmark = pytest.mark.infra

OTHER_VILLAGE = "v-xiaozhuang"
ITEMS = standard_library().checklist_for(SiteType.SMALL_RESTAURANT).item_ids
PHOTO = b"\x89PNG\r\n\x1a\n" + b"tenancy-photo" * 40
OWN_PHOTO = b"\xff\xd8\xff\xe0" + b"village-photo" * 40


@dataclass(frozen=True)
class Found:
    inspection_id: str
    hazard_id: str


@dataclass(frozen=True)
class World:
    svc: Harness
    ours: Found
    theirs: Found
    their_photo: str


async def _record(svc: Harness, site_id: str, evidence: list[str]) -> Found:
    answers: list[dict[str, Any]] = [{"item_id": i, "passed": True} for i in ITEMS[1:]]
    answers.append({"item_id": ITEMS[0], "passed": False, "evidence_ids": evidence})
    body = {
        "campaign_id": CAMPAIGN,
        "round_no": 1,
        "site_id": site_id,
        "group_id": "g-1",
        "present_staff_ids": ["s-1", "s-2"],
        "answers": answers,
    }
    response = await svc.client.post(
        "/v1/inspections", json=body, headers=svc.headers(Role.GROUP_LEADER, "s-1")
    )
    assert response.status_code == 201, response.text
    recorded = response.json()
    return Found(recorded["inspection_id"], recorded["hazards"][0]["hazard_id"])


@pytest.fixture(scope="module")
async def world(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async with running_service(infra, tmp_path_factory.mktemp("evidence")) as svc:
        await svc.publish(
            [
                *base_inventory(["site-ours", "site-moved", "site-g2"], closed_site="site-gone"),
                VillageRegistered(
                    village_id=OTHER_VILLAGE,
                    code="532327101202",
                    name="小庄村委会",
                    township_code=TENANT.township,
                ),
                registered_site("site-theirs", village_id=OTHER_VILLAGE, name="小庄饭店"),
                round_plan(1, ["site-ours", "site-theirs", "site-moved"], ["site-g2"]),
            ]
        )
        await svc.wait_for_inventory(round_sites=4, known_sites=5)
        uploaded = await svc.client.post(
            "/v1/evidence",
            content=PHOTO,
            headers=svc.headers(Role.GROUP_LEADER, "s-1") | {"Content-Type": "image/png"},
        )
        assert uploaded.status_code == 201, uploaded.text
        photo = uploaded.json()["evidence_id"]
        ours = await _record(svc, "site-ours", [])
        theirs = await _record(svc, "site-theirs", [photo])
        yield World(svc, ours, theirs, photo)


def _reads(found: Found) -> list[str]:
    inspection = f"/v1/inspections/{found.inspection_id}"
    return [
        f"/v1/hazards/{found.hazard_id}",
        inspection,
        f"{inspection}/hazards",
        f"{inspection}/notice",
        f"{inspection}/notice.pdf",
    ]


async def test_a_village_committee_reads_its_own_villages_hazards_only(world: World) -> None:
    svc = world.svc
    committee = svc.headers(Role.VILLAGE_COMMITTEE, village=VILLAGE)
    for path in _reads(world.ours):
        assert (await svc.client.get(path, headers=committee)).status_code == 200, path
    for path in _reads(world.theirs):
        assert_out_of_scope(await svc.client.get(path, headers=committee))
    english = await svc.client.get(
        _reads(world.theirs)[0], headers=committee | {"Accept-Language": "en"}
    )
    assert_out_of_scope(english)
    # Nor does it act on another village's hazard.
    report = await svc.client.post(
        f"/v1/hazards/{world.theirs.hazard_id}/report", json={"note": "已整改"}, headers=committee
    )
    assert_out_of_scope(report)
    # The other village's committee reads its own.
    theirs = svc.headers(Role.VILLAGE_COMMITTEE, village=OTHER_VILLAGE)
    for path in _reads(world.theirs):
        assert (await svc.client.get(path, headers=theirs)).status_code == 200, path


async def test_the_supervising_village_reaches_the_hazard_it_follows_up(world: World) -> None:
    svc = world.svc
    moved = await _record(svc, "site-moved", [])
    leader = svc.headers(Role.GROUP_LEADER, "s-1")
    for name, body in (
        ("notify", {"told_person_name": "王建国", "signed": True}),
        ("assign", {"responsible_person_name": "王建国", "supervising_village_id": OTHER_VILLAGE}),
    ):
        response = await svc.client.post(
            f"/v1/hazards/{moved.hazard_id}/{name}", json=body, headers=leader
        )
        assert response.status_code == 200, response.text
    supervising = svc.headers(Role.VILLAGE_COMMITTEE, village=OTHER_VILLAGE)
    hazard = f"/v1/hazards/{moved.hazard_id}"
    assert (await svc.client.get(hazard, headers=supervising)).status_code == 200
    reported = await svc.client.post(
        f"{hazard}/report", json={"note": "已整改"}, headers=supervising
    )
    assert reported.status_code == 200, reported.text
    # The inspection itself is of the place's village, not the supervising one's.
    inspection = f"/v1/inspections/{moved.inspection_id}"
    assert_out_of_scope(await svc.client.get(inspection, headers=supervising))


async def test_another_township_or_county_is_refused_and_unknown_ids_are_404(
    world: World,
) -> None:
    svc = world.svc
    outsiders = [
        svc.headers(Role.TOWNSHIP_ADMIN, township="532327102"),
        svc.headers(Role.COUNTY_VIEWER, township=None, county="532328"),
        svc.headers(Role.INSPECTOR, "s-x", township="532327102"),
    ]
    for headers in outsiders:
        for path in [*_reads(world.ours), f"/v1/evidence/{world.their_photo}"]:
            assert_out_of_scope(await svc.client.get(path, headers=headers))
    admin = svc.headers(Role.TOWNSHIP_ADMIN)
    for path in ("/v1/hazards/h-none", "/v1/inspections/i-none", "/v1/evidence/ev-" + "0" * 40):
        for headers in (admin, outsiders[0]):
            assert (await svc.client.get(path, headers=headers)).status_code == 404, path
    viewer = svc.headers(Role.COUNTY_VIEWER, township=None)
    for path in _reads(world.ours):
        assert (await svc.client.get(path, headers=viewer)).status_code == 200, path


async def test_evidence_is_read_by_the_villages_whose_findings_cite_it(world: World) -> None:
    svc = world.svc
    photo = f"/v1/evidence/{world.their_photo}"
    ours = svc.headers(Role.VILLAGE_COMMITTEE, village=VILLAGE)
    theirs = svc.headers(Role.VILLAGE_COMMITTEE, village=OTHER_VILLAGE)
    assert_out_of_scope(await svc.client.get(photo, headers=ours))
    read = await svc.client.get(photo, headers=theirs)
    assert read.status_code == 200 and read.content == PHOTO
    assert (await svc.client.get(photo, headers=svc.headers(Role.INSPECTOR, "s-2"))).content == (
        PHOTO
    )
    # What a village committee uploads itself, it reads back; the other village does not.
    uploaded = await svc.client.post(
        "/v1/evidence", content=OWN_PHOTO, headers=ours | {"Content-Type": "image/jpeg"}
    )
    assert uploaded.status_code == 201, uploaded.text
    own = f"/v1/evidence/{uploaded.json()['evidence_id']}"
    assert (await svc.client.get(own, headers=ours)).content == OWN_PHOTO
    assert_out_of_scope(await svc.client.get(own, headers=theirs))
    # Citing it is not a way in: a committee may cite only evidence it reads.
    cite = await svc.client.post(
        f"/v1/hazards/{world.ours.hazard_id}/report",
        json={"note": "已整改", "evidence_ids": [world.their_photo]},
        headers=ours,
    )
    assert_out_of_scope(cite)
