"""The inspector on a phone: today's places, a place's checklist form, recording it.

The form works as a plain HTML form; with the page's script it is queued in the browser
(IndexedDB) and sent by fetch, so it survives a dropped network. Either way it carries a
key made once per filled form, and the hazards service gets a key derived from it on
every step, so a form sent twice is recorded once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from crosscheck_console.adapters.hazards import Hazards
from crosscheck_console.adapters.services import ApiRefused
from crosscheck_console.api.forms import read_multipart, wants_json
from crosscheck_console.api.web import User, console_of, page_user, render
from crosscheck_console.app import field
from crosscheck_console.domain.field import (
    LOCAL,
    MAX_PHOTOS,
    FormProblems,
    read_form,
)
from crosscheck_console.domain.roles import Page
from crosscheck_platform.http.files import content_disposition
from crosscheck_platform.i18n import translate

Inspector = Annotated[User, page_user(Page.FIELD)]
CampaignId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
SiteId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
InspectionId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
RoundNo = Annotated[int, Path(ge=1, le=366)]
WORKER = FilePath(__file__).resolve().parent.parent / "static" / "field-sw.js"


def worker_script(scope: str) -> Response:
    """The offline worker, served under each folder it keeps (/field, /followup, /verify)
    so that its scope is those pages and nothing else."""
    return FileResponse(
        WORKER,
        media_type="text/javascript",
        headers={
            "Cache-Control": "no-cache",
            "Service-Worker-Allowed": scope,
            # A worker runs under its own script's policy: it fetches from here only.
            "Content-Security-Policy": "default-src 'self'",
        },
    )


def today() -> date:
    return datetime.now(LOCAL).date()


def field_router() -> APIRouter:
    router = APIRouter(prefix="/field", include_in_schema=False)

    @router.get("/sw.js")
    async def worker() -> Response:
        return worker_script("/field")

    @router.get("", response_class=HTMLResponse)
    async def day(request: Request, user: Inspector) -> HTMLResponse:
        found = await field.my_day(
            console_of(request).apis, user.principal, user.token, user.lang, today()
        )
        return render(request, "field.html", user, day=found)

    @router.get("/inspections/{inspection_id}", response_class=HTMLResponse)
    async def recorded(
        request: Request, user: Inspector, inspection_id: InspectionId
    ) -> HTMLResponse:
        apis = console_of(request).apis
        hazards = Hazards(apis, user.token, user.lang)
        inspection = await hazards.inspection(inspection_id)
        found = await hazards.inspection_hazards(inspection_id)
        base = f"/v1/townships/{user.principal.township}"
        site = await apis.json(
            "registry", f"{base}/sites/{inspection['site_id']}", user.token, user.lang
        )
        checklist = await hazards.checklist(site["site_type"])
        checks = {i["item_id"]: i for i in checklist["items"]}
        shown = list(dict.fromkeys(e for h in found for e in h["evidence_ids"]))
        captures = await asyncio.gather(*(hazards.capture(e) for e in shown))
        return render(
            request,
            "inspection.html",
            user,
            inspection=inspection,
            site=site,
            hazards=found,
            checks=checks,
            captures=dict(zip(shown, captures, strict=True)),
        )

    @router.get("/inspections/{inspection_id}/notice.pdf")
    async def notice(request: Request, user: Inspector, inspection_id: InspectionId) -> Response:
        hazards = Hazards(console_of(request).apis, user.token, user.lang)
        data = await hazards.notice_pdf(inspection_id)
        return Response(
            data,
            media_type="application/pdf",
            headers={"Content-Disposition": content_disposition("inline", "整改通知书.pdf")},
        )

    # After the inspection pages: /field/inspections/{id}/notice.pdf has three parts too.
    @router.get("/{campaign_id}/{round_no}/{site_id}", response_class=HTMLResponse)
    async def place(
        request: Request,
        user: Inspector,
        campaign_id: CampaignId,
        round_no: RoundNo,
        site_id: SiteId,
    ) -> HTMLResponse:
        form = await _place(request, user, campaign_id, round_no, site_id)
        return _form_page(request, user, form, {}, FormProblems())

    @router.post("/{campaign_id}/{round_no}/{site_id}")
    async def submit(
        request: Request,
        user: Inspector,
        campaign_id: CampaignId,
        round_no: RoundNo,
        site_id: SiteId,
    ) -> Response:
        sent, key = await read_multipart(request, user)
        form = await _place(request, user, campaign_id, round_no, site_id)
        photo_fields = {
            int(name[6:]): name
            for name in sent.files
            if name.startswith("photo_") and name[6:].isdigit()
        }
        read = read_form(
            sent.values,
            {n: sent.photos(name) for n, name in photo_fields.items()},
            members=form.duty.member_ids,
            today=today(),
            now=datetime.now(LOCAL),
            signature=sent.photos("signature"),
        )
        if isinstance(read, FormProblems):
            if wants_json(request):
                return JSONResponse({"errors": _messages(read, user.lang)}, status_code=422)
            return _form_page(request, user, form, sent.values, read, status_code=422)
        photos = [
            field.PhotoData(n, kind, data)
            for n, name in sorted(photo_fields.items())
            for kind, data in await sent.data(name)
        ]
        hazards = Hazards(console_of(request).apis, user.token, user.lang)
        try:
            drawn = (await sent.data("signature"))[0][1] if read.signature else None
            recorded, replayed = await field.record(hazards, form, read, photos, key, drawn)
        except ApiRefused as refused:
            if not wants_json(request) or refused.status == 401:
                raise
            return JSONResponse(
                {"error": refused.message or translate("console.error", user.lang)},
                status_code=refused.status,
            )
        target = f"/field/inspections/{recorded['inspection_id']}"
        if wants_json(request):
            return JSONResponse(
                {
                    "inspection_id": recorded["inspection_id"],
                    "hazards": len(recorded["hazard_ids"]),
                    "replayed": replayed,
                    "url": target,
                }
            )
        return RedirectResponse(target, status_code=303)

    return router


async def _place(
    request: Request, user: User, campaign_id: str, round_no: int, site_id: str
) -> field.PlaceForm:
    try:
        return await field.place_form(
            console_of(request).apis,
            user.principal,
            user.token,
            user.lang,
            campaign_id,
            round_no,
            site_id,
        )
    except field.NotYourPlace:
        raise ApiRefused(404, translate("console.field.not_yours", user.lang)) from None


def _messages(problems: FormProblems, lang: str) -> dict[str, str]:
    return {
        name: translate(key, "en" if lang == "en" else "zh", **params)
        for name, (key, params) in problems.by_field.items()
    }


def _form_page(
    request: Request,
    user: User,
    form: field.PlaceForm,
    values: dict[str, list[str]],
    problems: FormProblems,
    status_code: int = 200,
) -> HTMLResponse:
    def value(name: str, default: str = "") -> str:
        got = values.get(name)
        return got[0] if got else default

    context: dict[str, Any] = {
        "form": form,
        "value": value,
        "present": set(values.get("present", form.duty.member_ids)),
        "errors": _messages(problems, user.lang),
        "key": value("key") or str(uuid.uuid4()),
        "today": today().isoformat(),
        "max_photos": MAX_PHOTOS,
    }
    return render(request, "place.html", user, status_code, **context)
