"""Proof of presence over HTTP: evidence carries where and when it was taken (the photo's
EXIF, else what the phone says), the places have positions (the registry's, else the
first inspection's), and a step whose evidence lies beyond the township's radius or was
taken before what it proves is flagged in its event and its history; a township may
require presence for verifying a major hazard."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from crosscheck_contracts.events import GeoPoint, InspectionCompleted, RectificationVerified
from crosscheck_contracts.events.registry import SiteType
from crosscheck_hazards.adapters.checklist_data import standard_library
from crosscheck_hazards.domain.presence import start_of_day
from crosscheck_platform.auth import Role
from crosscheck_platform.clock import CHINA_STANDARD_TIME
from crosscheck_testing.infra import Infra

from .harness import CAMPAIGN, VILLAGE, Harness, base_inventory, round_plan, running_service, site

pytestmark = pytest.mark.infra

PLACE = GeoPoint(lat=26.0512, lon=101.5534)  # 维的乡, a shop on the main street
NEAR = GeoPoint(lat=26.0514, lon=101.5536)  # about 30 m away
FAR = GeoPoint(lat=26.0602, lon=101.5534)  # about 1 km north
SITES = ["site-p-near", "site-p-far", "site-p-major"]
ITEMS = standard_library().checklist_for(SiteType.SMALL_RESTAURANT).item_ids


def photo(taken_at: datetime | None, where: GeoPoint | None, colour: str) -> bytes:
    """A JPEG as a phone writes it: local time in DateTimeOriginal, a GPS fix."""
    image = Image.new("RGB", (32, 24), colour)
    exif = Image.Exif()
    if taken_at is not None:
        local = taken_at.astimezone(CHINA_STANDARD_TIME).strftime("%Y:%m:%d %H:%M:%S")
        exif.get_ifd(0x8769)[0x9003] = local
    if where is not None:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = "N", _dms(where.lat)
        gps[3], gps[4] = "E", _dms(where.lon)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return (
        IFDRational(degrees, 1),
        IFDRational(minutes, 1),
        IFDRational(round(seconds * 1e4), 10**4),
    )


@pytest.fixture(scope="module")
async def svc(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running_service(infra, tmp_path_factory.mktemp("evidence")) as harness:
        # Mid-morning: the minutes before "now" are on the same local day.
        harness.clock.set(start_of_day(harness.clock()) + timedelta(hours=10))
        inventory = base_inventory([], closed_site="site-p-shut")
        await harness.publish(
            [
                *inventory,
                *(site(s, location=PLACE) for s in SITES),
                site("site-p-unplaced"),
                site("site-p-other"),
                round_plan(1, [*SITES, "site-p-unplaced"], ["site-p-other"]),
            ]
        )
        await harness.wait_for_inventory(round_sites=5, known_sites=6)
        yield harness


def leader(svc: Harness) -> dict[str, str]:
    return svc.headers(Role.GROUP_LEADER, "s-1", name="李检查")


async def upload(svc: Harness, data: bytes, **device: Any) -> dict[str, Any]:
    response = await svc.client.post(
        "/v1/evidence",
        content=data,
        params=device,
        headers={**leader(svc), "Content-Type": "image/jpeg"},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def inspect(svc: Harness, site_id: str, evidence_id: str, severity: str = "general") -> Any:
    answers: list[dict[str, Any]] = [{"item_id": i, "passed": True} for i in ITEMS[1:]]
    answers.append(
        {"item_id": ITEMS[0], "passed": False, "severity": severity, "evidence_ids": [evidence_id]}
    )
    response = await svc.client.post(
        "/v1/inspections",
        json={
            "campaign_id": CAMPAIGN,
            "round_no": 1,
            "site_id": site_id,
            "group_id": "g-1",
            "present_staff_ids": ["s-1", "s-2"],
            "answers": answers,
        },
        headers=leader(svc),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def presence_of(svc: Harness, path: str, step: str) -> dict[str, Any]:
    response = await svc.client.get(f"{path}/history", headers=leader(svc))
    assert response.status_code == 200, response.text
    steps = [s for s in response.json()["steps"] if s["step"] == step]
    presence: dict[str, Any] = steps[-1]["changes"]["presence"]
    return presence


async def test_exif_time_and_position_are_read_and_the_device_is_believed_without(
    svc: Harness,
) -> None:
    taken = svc.clock() - timedelta(minutes=5)
    stored = await upload(svc, photo(taken, NEAR, "white"))
    assert stored["time_source"] == stored["position_source"] == "exif"
    assert datetime.fromisoformat(stored["taken_at"]) == taken
    assert stored["location"] == pytest.approx({"lat": NEAR.lat, "lon": NEAR.lon}, abs=1e-6)

    device_at = svc.clock() - timedelta(minutes=1)
    plain = await upload(
        svc,
        photo(None, None, "grey"),
        taken_at=device_at.isoformat(),
        lat=FAR.lat,
        lon=FAR.lon,
    )
    assert plain["time_source"] == plain["position_source"] == "device"
    assert plain["location"] == {"lat": FAR.lat, "lon": FAR.lon}
    # A time after the upload is not believed: it would make an old photo look new.
    future = await upload(
        svc, photo(None, None, "black"), taken_at=(svc.clock() + timedelta(days=1)).isoformat()
    )
    assert datetime.fromisoformat(future["taken_at"]) == svc.clock()

    # Read back beside the photo: what the first upload recorded.
    again = await svc.client.get(
        f"/v1/evidence/{plain['evidence_id']}/capture", headers=leader(svc)
    )
    assert again.status_code == 200, again.text
    assert again.json() == plain
    unknown = await svc.client.get("/v1/evidence/e-nobody-holds/capture", headers=leader(svc))
    assert unknown.status_code == 404


async def test_an_inspection_far_from_the_place_or_with_old_photos_is_flagged(
    svc: Harness,
) -> None:
    near = await upload(svc, photo(svc.clock() - timedelta(minutes=2), NEAR, "green"))
    on_site = await inspect(svc, "site-p-near", near["evidence_id"])
    presence = await presence_of(
        svc, f"/v1/inspections/{on_site['inspection_id']}", "InspectionCompleted"
    )
    assert presence["flags"] == []
    assert presence["radius_m"] == 200
    assert 0 < presence["evidence"][0]["distance_m"] < 50

    old_and_far = await upload(svc, photo(svc.clock() - timedelta(days=3), FAR, "blue"))
    away = await inspect(svc, "site-p-far", old_and_far["evidence_id"])
    presence = await presence_of(
        svc, f"/v1/inspections/{away['inspection_id']}", "InspectionCompleted"
    )
    assert presence["flags"] == ["far_from_place", "taken_before_step"]
    assert 950 < presence["evidence"][0]["distance_m"] < 1050

    published = await svc.hazards_on_kafka(
        lambda got: any(
            isinstance(e, InspectionCompleted) and e.inspection_id == away["inspection_id"]
            for _, e in got
        )
    )
    event = next(
        e
        for _, e in published
        if isinstance(e, InspectionCompleted) and e.inspection_id == away["inspection_id"]
    )
    assert event.presence is not None and event.presence.place_location == PLACE


async def test_a_place_without_a_position_takes_its_first_inspections(svc: Harness) -> None:
    first = await upload(svc, photo(svc.clock(), FAR, "yellow"))
    recorded = await inspect(svc, "site-p-unplaced", first["evidence_id"])
    presence = await presence_of(
        svc, f"/v1/inspections/{recorded['inspection_id']}", "InspectionCompleted"
    )
    assert presence["flags"] == []
    assert presence["place_location"] == pytest.approx({"lat": FAR.lat, "lon": FAR.lon}, abs=1e-6)
    assert (
        await svc.db.fetchval(
            "SELECT inspection_id FROM site_positions WHERE site_id = 'site-p-unplaced'"
        )
        == recorded["inspection_id"]
    )


async def test_verification_flags_and_the_townships_rule_for_major_hazards(svc: Harness) -> None:
    admin = svc.headers(Role.TOWNSHIP_ADMIN, name="乡管理员")
    assert (await svc.client.get("/v1/presence-rule", headers=admin)).json() == {
        "radius_m": 200,
        "required_for_major": False,
    }
    refused = await svc.client.put(
        "/v1/presence-rule", json={"radius_m": 300, "required_for_major": True}, headers=leader(svc)
    )
    assert refused.status_code == 403
    changed = await svc.client.put(
        "/v1/presence-rule", json={"radius_m": 300, "required_for_major": True}, headers=admin
    )
    assert changed.status_code == 200, changed.text

    found = await upload(svc, photo(svc.clock(), NEAR, "red"))
    recorded = await inspect(svc, "site-p-major", found["evidence_id"], severity="major")
    hazard = f"/v1/hazards/{recorded['hazards'][0]['hazard_id']}"
    for step, body in (
        ("notify", {"told_person_name": "王建国", "signed": True}),
        ("assign", {"responsible_person_name": "王建国"}),
    ):
        assert (
            await svc.client.post(f"{hazard}/{step}", json=body, headers=leader(svc))
        ).is_success
    village = svc.headers(Role.VILLAGE_COMMITTEE, village=VILLAGE, name="赵村干")
    report = await svc.client.post(f"{hazard}/report", json={"note": "已整改"}, headers=village)
    assert report.status_code == 200, report.text
    svc.clock.advance(timedelta(hours=2))

    # Taken after the report but a kilometre away: the township requires presence.
    far = await upload(svc, photo(svc.clock() - timedelta(minutes=10), FAR, "purple"))
    verifier = svc.headers(Role.INSPECTOR, "s-2", name="张复核")
    response = await svc.client.post(
        f"{hazard}/verify",
        json={"evidence_ids": [far["evidence_id"]]},
        headers={**verifier, "Accept-Language": "zh-CN"},
    )
    assert response.status_code == 422, response.text
    assert "300 米" in response.text and "far_from_place" in response.text

    near = await upload(svc, photo(svc.clock() - timedelta(minutes=5), NEAR, "orange"))
    response = await svc.client.post(
        f"{hazard}/verify", json={"evidence_ids": [near["evidence_id"]]}, headers=verifier
    )
    assert response.status_code == 200, response.text
    presence = await presence_of(svc, hazard, "RectificationVerified")
    assert presence["flags"] == [] and presence["radius_m"] == 300

    published = await svc.hazards_on_kafka(
        lambda got: any(isinstance(e, RectificationVerified) for _, e in got)
    )
    verified = next(e for _, e in published if isinstance(e, RectificationVerified))
    assert verified.presence is not None
    assert verified.presence.evidence[0].time_source == "exif"
