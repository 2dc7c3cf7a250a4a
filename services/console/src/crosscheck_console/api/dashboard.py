"""The leaders' dashboard and the three ledgers' downloads (fetched from the ledgers
service with the user's token, so the browser never holds one)."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from crosscheck_console.api.web import User, console_of, page_user, render
from crosscheck_console.app.dashboard import LEDGERS, dashboard, hazard_list, ledger_file
from crosscheck_console.domain.charts import charts
from crosscheck_console.domain.roles import Page
from crosscheck_platform.http.files import content_disposition

Leader = Annotated[User, page_user(Page.DASHBOARD)]
Code = Annotated[str | None, Query(pattern=r"^[0-9]{6,12}$")]
CampaignQuery = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
LedgerFile = Literal["ledgers.xlsx", "base.csv", "hazards.csv", "responsibility.csv"]

FILE_NAMES = {
    "zh": {
        "ledgers.xlsx": "三本台账.xlsx",
        "base.csv": "底数清单.csv",
        "hazards.csv": "隐患清单.csv",
        "responsibility.csv": "责任清单.csv",
    },
    "en": {
        "ledgers.xlsx": "ledgers.xlsx",
        "base.csv": "base-list.csv",
        "hazards.csv": "hazard-list.csv",
        "responsibility.csv": "responsibility-list.csv",
    },
}


def dashboard_router() -> APIRouter:
    router = APIRouter(prefix="/dashboard", include_in_schema=False)

    @router.get("", response_class=HTMLResponse)
    async def page(
        request: Request, user: Leader, campaign: CampaignQuery = None, township: Code = None
    ) -> HTMLResponse:
        data = await dashboard(
            console_of(request).apis,
            user.principal,
            user.token,
            user.lang,
            campaign_id=campaign,
            township=township,
        )
        return render(
            request,
            "dashboard.html",
            user,
            data=data,
            charts=charts(data.breakdowns),
            ledgers=LEDGERS,
        )

    @router.get("/hazards", response_class=HTMLResponse)
    async def hazards(
        request: Request,
        user: Leader,
        by: Literal["village", "group", "round", "category"],
        key: Annotated[str, Query(min_length=1, max_length=140)],
        campaign: CampaignQuery = None,
        township: Code = None,
    ) -> HTMLResponse:
        """The hazards behind one row of the dashboard (drill-down)."""
        query = _ledger_query(campaign, township)
        found = await hazard_list(
            console_of(request).apis, user.token, user.lang, by=by, key=key, query=query
        )
        back = "/dashboard" + (
            "?"
            + urlencode({k: v for k, v in (("campaign", campaign), ("township", township)) if v})
            if campaign or township
            else ""
        )
        return render(request, "dashboard_hazards.html", user, found=found, by=by, back=back)

    @router.get("/{name}")
    async def ledger(
        request: Request,
        user: Leader,
        name: LedgerFile,
        campaign: CampaignQuery = None,
        township: Code = None,
    ) -> Response:
        query = _ledger_query(campaign, township)
        body, media = await ledger_file(
            console_of(request).apis, user.token, user.lang, name, query
        )
        filename = FILE_NAMES[user.lang][name]
        return Response(
            body,
            media_type=media,
            headers={"Content-Disposition": content_disposition("attachment", filename)},
        )

    return router


def _ledger_query(campaign: str | None, township: str | None) -> dict[str, str]:
    return {k: v for k, v in (("campaign_id", campaign), ("township", township)) if v}
