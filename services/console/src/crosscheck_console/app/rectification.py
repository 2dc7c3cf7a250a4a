"""The follow-up pages: the hazards waiting for 现场复核 (township staff), a village
committee's open hazards, one hazard with its history, and the commands that move it
on (report a fix, verify, reject), each with a key derived from the form's own."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from crosscheck_console.adapters.hazards import Hazards, Reject, Report, Verify
from crosscheck_console.adapters.services import Apis
from crosscheck_console.app.field import taken_params
from crosscheck_console.domain.field import Taken, end_of_day
from crosscheck_console.domain.rectification import ReportForm, VerifyForm, follow_up_order
from crosscheck_platform.auth import Principal


async def to_verify(apis: Apis, principal: Principal, token: str, lang: str) -> list[Any]:
    """The township's hazards reported fixed, oldest report first. Whether this person
    may re-check one is the hazards service's rule, told when they try."""
    rows = await apis.all_pages(
        "ledgers",
        "/v1/ledgers/hazards",
        token,
        lang,
        state="reported",
        township=principal.township,
    )
    return sorted(rows, key=lambda r: r.get("reported_at") or "")


async def village_open(apis: Apis, principal: Principal, token: str, lang: str) -> list[Any]:
    """The village committee's open hazards (the ledgers show a village role its own
    village only), overdue first."""
    rows = await apis.all_pages("ledgers", "/v1/ledgers/hazards", token, lang)
    return follow_up_order(rows)


@dataclass(frozen=True)
class HazardPage:
    hazard: dict[str, Any]
    site: dict[str, Any]
    steps: list[dict[str, Any]]


async def hazard_page(
    apis: Apis, principal: Principal, token: str, lang: str, hazard_id: str
) -> HazardPage:
    hazards = Hazards(apis, token, lang)
    hazard, history = await asyncio.gather(
        hazards.hazard(hazard_id),
        apis.json("hazards", f"/v1/hazards/{hazard_id}/history", token, lang),
    )
    site = await apis.json(
        "registry", f"/v1/townships/{principal.township}/sites/{hazard['site_id']}", token, lang
    )
    return HazardPage(hazard, site, history["steps"])


async def _evidence(hazards: Hazards, photos: list[tuple[str, bytes]], taken: Taken) -> list[str]:
    """Photos with the time and position the phone gave (the presence rule reads them)."""
    params = taken_params(taken)
    ids = [(await hazards.upload(data, kind, params))["evidence_id"] for kind, data in photos]
    return list(dict.fromkeys(ids))


async def report(
    hazards: Hazards, hazard_id: str, form: ReportForm, photos: list[tuple[str, bytes]], key: str
) -> None:
    body: Report = {"note": form.note}
    evidence = await _evidence(hazards, photos, form.taken)
    if evidence:
        body["evidence_ids"] = evidence
    await hazards.report(hazard_id, body, f"{key}:report")


async def recheck(
    hazards: Hazards, hazard_id: str, form: VerifyForm, photos: list[tuple[str, bytes]], key: str
) -> None:
    if form.passed:
        verify: Verify = {}
        if form.note:
            verify["note"] = form.note
        evidence = await _evidence(hazards, photos, form.taken)
        if evidence:
            verify["evidence_ids"] = evidence
        await hazards.verify(hazard_id, verify, f"{key}:verify")
        return
    reject: Reject = {"reason": form.note}
    if form.new_deadline is not None:
        reject["new_deadline"] = end_of_day(form.new_deadline).isoformat()
    await hazards.reject(hazard_id, reject, f"{key}:reject")
