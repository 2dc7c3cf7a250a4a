"""The village committee's follow-up (点对点跟踪督办: open hazards, overdue first; report
a fix with photos) and the on-site re-check (现场复核: passed with photos, or failed with
a reason). The hazards service decides who may do what; when it refuses, its message
(in the user's language) is shown on the form."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from crosscheck_console.adapters.hazards import Hazards
from crosscheck_console.adapters.services import ApiRefused
from crosscheck_console.api.field import worker_script
from crosscheck_console.api.forms import Multipart, read_multipart, wants_json
from crosscheck_console.api.web import CurrentUser, User, console_of, page_user, render
from crosscheck_console.app import rectification
from crosscheck_console.domain.field import LOCAL, MAX_PHOTOS, FormProblems
from crosscheck_console.domain.rectification import read_report, read_verify
from crosscheck_console.domain.roles import Page
from crosscheck_platform.i18n import Language, translate

Verifier = Annotated[User, page_user(Page.VERIFY)]
Village = Annotated[User, page_user(Page.FOLLOWUP)]
HazardId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
EvidenceId = Annotated[str, Path(pattern=r"^ev-[0-9a-f]{40}$")]
REFUSALS = (403, 404, 409, 422)


def today() -> date:
    return datetime.now(LOCAL).date()


def messages(problems: FormProblems, lang: Language) -> dict[str, str]:
    return {
        name: translate(key, lang, **params) for name, (key, params) in problems.by_field.items()
    }


def rectification_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    # Before the hazard pages: "sw.js" would pass for a hazard id.
    @router.get("/followup/sw.js")
    async def followup_worker() -> Response:
        return worker_script("/followup")

    @router.get("/verify/sw.js")
    async def verify_worker() -> Response:
        return worker_script("/verify")

    @router.get("/verify", response_class=HTMLResponse)
    async def verify_list(request: Request, user: Verifier) -> HTMLResponse:
        rows = await rectification.to_verify(
            console_of(request).apis, user.principal, user.token, user.lang
        )
        return render(request, "hazards.html", user, rows=rows, mode="verify")

    @router.get("/followup", response_class=HTMLResponse)
    async def followup_list(request: Request, user: Village) -> HTMLResponse:
        rows = await rectification.village_open(
            console_of(request).apis, user.principal, user.token, user.lang
        )
        return render(request, "hazards.html", user, rows=rows, mode="followup")

    @router.get("/verify/{hazard_id}", response_class=HTMLResponse)
    async def verify_page(request: Request, user: Verifier, hazard_id: HazardId) -> HTMLResponse:
        return await _page(request, user, hazard_id, "verify")

    @router.get("/followup/{hazard_id}", response_class=HTMLResponse)
    async def followup_page(request: Request, user: Village, hazard_id: HazardId) -> HTMLResponse:
        return await _page(request, user, hazard_id, "followup")

    @router.post("/verify/{hazard_id}")
    async def recheck(request: Request, user: Verifier, hazard_id: HazardId) -> Response:
        sent, key = await read_multipart(request, user)
        page = await _hazard(request, user, hazard_id)
        read = read_verify(
            sent.values,
            sent.photos("photos"),
            major=page.hazard["severity"] == "major",
            today=today(),
            now=datetime.now(LOCAL),
        )
        if isinstance(read, FormProblems):
            if wants_json(request):
                return _problems(read, user.lang)
            return await _page(request, user, hazard_id, "verify", sent, read, page=page)
        hazards = Hazards(console_of(request).apis, user.token, user.lang)
        try:
            await rectification.recheck(hazards, hazard_id, read, await sent.data("photos"), key)
        except ApiRefused as refused:
            if refused.status not in REFUSALS:
                raise
            if wants_json(request):
                return _refusal(refused, user.lang)
            return await _page(request, user, hazard_id, "verify", sent, refused=refused)
        return _done(request, f"/verify/{hazard_id}?done=1")

    @router.post("/followup/{hazard_id}")
    async def report(request: Request, user: Village, hazard_id: HazardId) -> Response:
        sent, key = await read_multipart(request, user)
        read = read_report(sent.values, sent.photos("photos"), datetime.now(LOCAL))
        if isinstance(read, FormProblems):
            if wants_json(request):
                return _problems(read, user.lang)
            return await _page(request, user, hazard_id, "followup", sent, read)
        hazards = Hazards(console_of(request).apis, user.token, user.lang)
        try:
            await rectification.report(hazards, hazard_id, read, await sent.data("photos"), key)
        except ApiRefused as refused:
            if refused.status not in REFUSALS:
                raise
            if wants_json(request):
                return _refusal(refused, user.lang)
            return await _page(request, user, hazard_id, "followup", sent, refused=refused)
        return _done(request, f"/followup/{hazard_id}?done=1")

    @router.get("/photos/{evidence_id}")
    async def photo(request: Request, user: CurrentUser, evidence_id: EvidenceId) -> Response:
        """A photo of a hazard, as the hazards service lets this user read it."""
        answer = await console_of(request).apis.call(
            "hazards", "GET", f"/v1/evidence/{evidence_id}", user.token, user.lang
        )
        kind = answer.headers.get("content-type", "application/octet-stream")
        if not kind.startswith("image/"):
            return Response(status_code=404)
        return Response(
            answer.content,
            media_type=kind,
            headers={
                "Cache-Control": "private, max-age=86400",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return router


# The page's script sends these forms from its queue (they work offline) and reads JSON.
def _done(request: Request, target: str) -> Response:
    if wants_json(request):
        return JSONResponse({"url": target})
    return RedirectResponse(target, status_code=303)


def _problems(problems: FormProblems, lang: Language) -> JSONResponse:
    return JSONResponse({"errors": messages(problems, lang)}, status_code=422)


def _refusal(refused: ApiRefused, lang: Language) -> JSONResponse:
    message = refused.message or translate("console.error", lang)
    return JSONResponse({"error": message}, status_code=refused.status)


async def _hazard(request: Request, user: User, hazard_id: str) -> rectification.HazardPage:
    return await rectification.hazard_page(
        console_of(request).apis, user.principal, user.token, user.lang, hazard_id
    )


async def _page(
    request: Request,
    user: User,
    hazard_id: str,
    mode: str,
    sent: Multipart | None = None,
    problems: FormProblems | None = None,
    refused: ApiRefused | None = None,
    page: rectification.HazardPage | None = None,
) -> HTMLResponse:
    found = page or await _hazard(request, user, hazard_id)
    values = sent.values if sent else {}

    def value(name: str, default: str = "") -> str:
        got = values.get(name)
        return got[0] if got else default

    status = 200
    if problems is not None and problems.by_field:
        status = 422
    if refused is not None:
        status = refused.status
    context: dict[str, Any] = {
        "page": found,
        "mode": mode,
        "value": value,
        "errors": messages(problems, user.lang) if problems else {},
        "refused": refused.message if refused else None,
        "done": request.query_params.get("done") == "1" and sent is None,
        "key": str(uuid.uuid4()),
        "today": today().isoformat(),
        "max_photos": MAX_PHOTOS,
    }
    return render(request, "hazard.html", user, status, **context)
