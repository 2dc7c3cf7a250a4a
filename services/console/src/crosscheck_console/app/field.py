"""The inspector's pages: today's places of my group, a place's checklist form, and
recording it (photos, the inspection, then 当场告知 and 限期整改 of each hazard), each
step with a key derived from the form's own, so a form sent twice records once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from typing import Any

from crosscheck_console.adapters.hazards import (
    AnswerBody,
    Assign,
    Checklist,
    Hazards,
    InspectionRecorded,
    RecordInspection,
)
from crosscheck_console.adapters.services import Apis
from crosscheck_console.domain.field import (
    Duty,
    InspectionForm,
    Taken,
    duties_of,
    end_of_day,
    today_and_next,
)
from crosscheck_console.domain.plan import names
from crosscheck_platform.auth import Principal

LIVE_STAGES = frozenset({"scheduled", "in_progress"})


@dataclass(frozen=True)
class Day:
    today: date
    duties: list[Duty]
    upcoming: Duty | None
    places: dict[str, dict[str, Any]]
    staff: dict[str, str]
    inspected: set[tuple[str, int, str]]


@dataclass(frozen=True)
class PlaceForm:
    duty: Duty
    site: dict[str, Any]
    checklist: Checklist
    staff: dict[str, str]


class NotYourPlace(Exception):
    """The place is not in a round of the person's group (or the round is closed)."""


async def my_duties(apis: Apis, principal: Principal, token: str, lang: str) -> list[Duty]:
    township, staff_id = principal.township, principal.staff_id
    if township is None or staff_id is None:
        return []
    listed = await apis.json("rotation", f"/v1/townships/{township}/campaigns", token, lang)
    live = [c for c in listed if not c.get("cancelled") and c.get("stage") in LIVE_STAGES]
    plans = await asyncio.gather(
        *(
            apis.json(
                "rotation", f"/v1/townships/{township}/campaigns/{c['campaign_id']}", token, lang
            )
            for c in live
        )
    )
    return [d for plan in plans for d in duties_of(plan, staff_id)]


async def my_day(apis: Apis, principal: Principal, token: str, lang: str, today: date) -> Day:
    duties, upcoming = today_and_next(await my_duties(apis, principal, token, lang), today)
    base = f"/v1/townships/{principal.township}"
    places: dict[str, dict[str, Any]] = {}
    staff: dict[str, str] = {}
    inspected: set[tuple[str, int, str]] = set()
    if duties:
        sites, people, *ledgers = await asyncio.gather(
            apis.all_pages("registry", f"{base}/sites", token, lang, status="all"),
            apis.all_pages("registry", f"{base}/staff", token, lang, status="all"),
            *(
                apis.all_pages("ledgers", "/v1/ledgers/base", token, lang, campaign_id=c)
                for c in sorted({d.campaign_id for d in duties})
            ),
        )
        places = {s["id"]: s for s in sites}
        staff = names(people)
        # The ledgers learn of inspections from the hazards service's events: a place
        # recorded a moment ago may show as still to do for that moment.
        inspected = {
            (r["campaign_id"], r["round_no"], row["site_id"])
            for rows in ledgers
            for row in rows
            for r in row["rounds"]
            if r["inspected"]
        }
    return Day(today, duties, upcoming, places, staff, inspected)


async def place_form(
    apis: Apis,
    principal: Principal,
    token: str,
    lang: str,
    campaign_id: str,
    round_no: int,
    site_id: str,
) -> PlaceForm:
    duties = await my_duties(apis, principal, token, lang)
    duty = next(
        (
            d
            for d in duties
            if d.campaign_id == campaign_id and d.round_no == round_no and site_id in d.site_ids
        ),
        None,
    )
    if duty is None:
        raise NotYourPlace
    base = f"/v1/townships/{principal.township}"
    site, people = await asyncio.gather(
        apis.json("registry", f"{base}/sites/{site_id}", token, lang),
        apis.all_pages("registry", f"{base}/staff", token, lang, status="all"),
    )
    checklist = await Hazards(apis, token, lang).checklist(site["site_type"])
    return PlaceForm(duty, site, checklist, names(people))


@dataclass(frozen=True)
class PhotoData:
    index: int
    content_type: str
    data: bytes


async def record(
    hazards: Hazards,
    place: PlaceForm,
    form: InspectionForm,
    photos: list[PhotoData],
    key: str,
    signature: bytes | None = None,
) -> tuple[InspectionRecorded, bool]:
    """Photos first (stored by content, so a retry stores nothing new), then the
    inspection, then each hazard told on the spot and given its deadline. Every step
    has its own key derived from the form's key; a step already done answers again.
    The told person's drawn signature is evidence of every hazard of the notice."""
    evidence: dict[int, list[str]] = {}
    taken = {f.index: taken_params(f.taken) for f in form.findings}
    for photo in photos:
        stored = await hazards.upload(photo.data, photo.content_type, taken.get(photo.index))
        evidence.setdefault(photo.index, []).append(stored["evidence_id"])
    signed: list[str] = []
    if signature is not None:
        here = next((f.taken for f in form.findings if f.taken.has_position), Taken())
        at = taken_params(Taken(form.signed_at, here.lat, here.lon))
        signed.append((await hazards.upload(signature, "image/png", at))["evidence_id"])
    answers: list[AnswerBody] = [{"item_id": i, "passed": True} for i in form.passed]
    for f in form.findings:
        answers.append(
            {
                "item_id": f.item_id,
                "passed": False,
                "severity": f.severity,
                "description": f.description,
                "evidence_ids": list(dict.fromkeys([*evidence.get(f.index, []), *signed])),
            }
        )
    order = {item: n for n, item in enumerate(form.item_ids)}
    answers.sort(key=lambda a: order.get(a["item_id"], 0))
    body: RecordInspection = {
        "campaign_id": place.duty.campaign_id,
        "round_no": place.duty.round_no,
        "site_id": place.site["id"],
        "group_id": place.duty.group_id,
        "present_staff_ids": list(form.present_staff_ids),
        "answers": answers,
    }
    if form.inspected_at is not None:
        body["inspected_at"] = form.inspected_at.isoformat()
    recorded, replayed = await hazards.record(body, f"{key}:inspection")
    by_item = {h["checklist_item_id"]: h["hazard_id"] for h in recorded["hazards"]}
    for f in form.findings:
        hazard_id = by_item.get(f.item_id)
        if hazard_id is None:
            continue
        await hazards.notify(
            hazard_id,
            {"told_person_name": form.told_person, "signed": form.signed},
            f"{key}:notify:{f.index}",
        )
        assign: Assign = {"responsible_person_name": form.responsible_person}
        if f.deadline is not None:
            assign["deadline"] = end_of_day(f.deadline).isoformat()
        await hazards.assign(hazard_id, assign, f"{key}:assign:{f.index}")
    return recorded, replayed


def taken_params(taken: Taken) -> dict[str, str]:
    """What the hazards service's upload takes as the device's word on the photo."""
    params = {}
    if taken.at is not None:
        params["taken_at"] = taken.at.isoformat()
    if taken.lat is not None and taken.lon is not None:
        params["lat"], params["lon"] = repr(taken.lat), repr(taken.lon)
    return params
