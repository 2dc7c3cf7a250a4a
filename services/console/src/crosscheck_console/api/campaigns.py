"""The township admin's campaigns: list and launch, a campaign's groups and each
round's plan by name, scheduling, and a round's 检查安排表 as PDF and XLSX."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from crosscheck_console.adapters import sheets
from crosscheck_console.adapters.services import ApiRefused
from crosscheck_console.api.refusals import Refusal, refusal
from crosscheck_console.api.web import BadForm, User, console_of, page_user, render
from crosscheck_console.app import campaigns
from crosscheck_console.app.inventory import XLSX
from crosscheck_console.domain.field import LOCAL, FormProblems
from crosscheck_console.domain.replan import read_change, rounds_not_started
from crosscheck_console.domain.roles import Page
from crosscheck_platform.http.files import content_disposition
from crosscheck_platform.i18n import translate

Admin = Annotated[User, page_user(Page.CAMPAIGNS)]
CampaignId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
RoundNo = Annotated[int, Path(ge=1, le=366)]


def campaigns_router() -> APIRouter:
    router = APIRouter(prefix="/campaigns", include_in_schema=False)

    @router.get("", response_class=HTMLResponse)
    async def page(request: Request, user: Admin) -> HTMLResponse:
        found = await campaigns.listing(
            console_of(request).apis, _code(user), user.token, user.lang
        )
        return render(request, "campaigns.html", user, campaigns=found, today=date.today())

    @router.post("")
    async def launch(
        request: Request,
        user: Admin,
        csrf: Annotated[str, Form()],
        name: Annotated[str, Form()],
        starts_on: Annotated[date, Form()],
        ends_on: Annotated[date, Form()],
        rounds: Annotated[int, Form()],
        groups: Annotated[int, Form()],
        no_repeat_within_rounds: Annotated[str, Form()] = "",
        seed: Annotated[str, Form()] = "",
    ) -> Response:
        if csrf != user.session.csrf:
            raise BadForm
        body: dict[str, object] = {
            "name": name,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "rounds": rounds,
            "groups": groups,
        }
        if no_repeat_within_rounds.strip():
            body["no_repeat_within_rounds"] = int(no_repeat_within_rounds)
        if seed.strip():
            body["seed"] = int(seed)
        campaign_id = await campaigns.launch(
            console_of(request).apis, _code(user), user.token, user.lang, body
        )
        return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)

    @router.get("/{campaign_id}", response_class=HTMLResponse)
    async def campaign(
        request: Request, user: Admin, campaign_id: CampaignId, round: int = 1
    ) -> HTMLResponse:
        found = await campaigns.view(
            console_of(request).apis, _code(user), campaign_id, user.token, user.lang, only=round
        )
        return render(request, "campaign.html", user, view=found, shown=round)

    @router.post("/{campaign_id}/schedule")
    async def schedule(
        request: Request, user: Admin, campaign_id: CampaignId, csrf: Annotated[str, Form()]
    ) -> Response:
        if csrf != user.session.csrf:
            raise BadForm
        await campaigns.schedule(
            console_of(request).apis, _code(user), campaign_id, user.token, user.lang
        )
        return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)

    @router.get("/{campaign_id}/replan", response_class=HTMLResponse)
    async def replan_page(request: Request, user: Admin, campaign_id: CampaignId) -> HTMLResponse:
        found = await campaigns.view(
            console_of(request).apis, _code(user), campaign_id, user.token, user.lang, only=0
        )
        return _replan(request, user, found, {}, FormProblems())

    @router.post("/{campaign_id}/replan")
    async def replan(request: Request, user: Admin, campaign_id: CampaignId) -> Response:
        form = await request.form()
        values = {k: [str(v) for v in form.getlist(k)] for k in form}
        if values.get("csrf", [""])[0] != user.session.csrf:
            raise BadForm
        apis = console_of(request).apis
        found = await campaigns.view(apis, _code(user), campaign_id, user.token, user.lang, only=0)
        read = read_change(values, found.plan, rounds_not_started(found.plan, _today()))
        if isinstance(read, FormProblems):
            return _replan(request, user, found, values, read, status_code=422)
        try:
            await campaigns.change_groups(
                apis, _code(user), campaign_id, user.token, user.lang, read.body()
            )
        except ApiRefused as refused:
            if refused.status not in (409, 422):
                raise
            why = refusal(refused.message, refused.detail, user.lang)
            return _replan(
                request, user, found, values, FormProblems(), refused=why, status_code=422
            )
        return RedirectResponse(
            f"/campaigns/{campaign_id}?round={read.from_round}&changed=1", status_code=303
        )

    @router.get("/{campaign_id}/rounds/{round_no}/schedule.{kind}")
    async def sheet(
        request: Request, user: Admin, campaign_id: CampaignId, round_no: RoundNo, kind: str
    ) -> Response:
        if kind not in ("pdf", "xlsx"):
            return Response(status_code=404)
        apis = console_of(request).apis
        found = await campaigns.view(
            apis, _code(user), campaign_id, user.token, user.lang, only=round_no
        )
        if not found.rounds:
            return Response(status_code=404)
        township = (await apis.json("registry", f"/v1/townships/{_code(user)}", user.token, "zh"))[
            "name"
        ]
        name = found.plan["name"]
        filename = f"{name}-第{round_no}轮检查安排表.{kind}"
        if kind == "pdf":
            data = await asyncio.to_thread(sheets.schedule_pdf, name, township, found.rounds[0])
            media = "application/pdf"
        else:
            data = sheets.schedule_xlsx(name, township, found.rounds[0])
            media = XLSX
        return Response(
            data,
            media_type=media,
            headers={"Content-Disposition": content_disposition("attachment", filename)},
        )

    return router


def _today() -> date:
    return datetime.now(LOCAL).date()


def _replan(
    request: Request,
    user: User,
    found: campaigns.CampaignView,
    values: dict[str, list[str]],
    problems: FormProblems,
    refused: Refusal | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    def value(name: str, default: str = "") -> str:
        got = values.get(name)
        return got[0] if got else default

    errors = {
        name: translate(key, "en" if user.lang == "en" else "zh", **params)
        for name, (key, params) in problems.by_field.items()
    }
    return render(
        request,
        "replan.html",
        user,
        status_code,
        view=found,
        open_rounds=rounds_not_started(found.plan, _today()),
        value=value,
        errors=errors,
        refused=refused,
    )


def _code(user: User) -> str:
    assert user.principal.township is not None
    return user.principal.township
