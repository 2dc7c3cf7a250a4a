"""The three ledgers, the figures and the calibration view, with filters and pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from crosscheck_contracts.events import HazardCategory, Severity, SiteType
from crosscheck_ledgers.adapters import views
from crosscheck_ledgers.adapters.views import HazardFilter, SiteFilter
from crosscheck_ledgers.api.answers import (
    BasePage,
    CalibrationAnswer,
    Coverage,
    FiguresAnswer,
    HazardPage,
    ResponsibilityPage,
)
from crosscheck_ledgers.api.deps import AsOf, LangQuery, PageDep, ScopeDep
from crosscheck_ledgers.app import ledgers
from crosscheck_ledgers.domain.figures import Dimension
from crosscheck_ledgers.domain.states import HazardState
from crosscheck_platform.http import Runtime

Campaign = Annotated[
    str | None,
    Query(
        max_length=64,
        description="One campaign; a county campaign's id stands for every township's part "
        "of it (the county's figures of that campaign).",
    ),
]
RoundNo = Annotated[int | None, Query(ge=1, le=366)]
IdQuery = Annotated[str | None, Query(max_length=64)]


def _page(items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    return {"items": items, "total": total, "limit": limit, "offset": offset}


async def hazard_rows(
    runtime: Runtime,
    scope: ScopeDep,
    page: PageDep,
    as_of: AsOf,
    campaign_id: Campaign = None,
    round_no: RoundNo = None,
    site_id: IdQuery = None,
    group_id: IdQuery = None,
    category: HazardCategory | None = None,
    severity: Severity | None = None,
    state: HazardState | None = None,
    overdue: bool | None = None,
) -> tuple[list[dict[str, Any]], int]:
    f = HazardFilter(
        campaign_id,
        round_no,
        None,  # the village is the scope's
        site_id,
        group_id,
        None if category is None else category.value,
        None if severity is None else severity.value,
        None if state is None else state.value,
        overdue,
    )
    return await views.hazards(runtime.database, scope, f, as_of, page)


HazardRows = Annotated[tuple[list[dict[str, Any]], int], Depends(hazard_rows)]


router = APIRouter(prefix="/v1", tags=["ledgers"])


@router.get("/ledgers/base", summary="Base list (底数清单)", response_model=BasePage)
async def base_list(
    runtime: Runtime,
    scope: ScopeDep,
    page: PageDep,
    campaign_id: Campaign = None,
    site_type: SiteType | None = None,
    inspected: bool | None = None,
    include_closed: bool = False,
) -> object:
    f = SiteFilter(
        campaign_id,
        None,  # the village is the scope's
        None if site_type is None else site_type.value,
        inspected,
        include_closed,
    )
    items, total = await views.base_list(runtime.database, scope, f, page)
    return _page(items, total, page.limit, page.offset)


@router.get(
    "/ledgers/base/coverage", summary="Coverage per village and round", response_model=Coverage
)
async def coverage(runtime: Runtime, scope: ScopeDep, campaign_id: Campaign = None) -> object:
    return {"items": await views.coverage(runtime.database, scope, campaign_id)}


@router.get("/ledgers/hazards", summary="Hazard list (隐患清单)", response_model=HazardPage)
async def hazard_list(page: PageDep, rows: HazardRows) -> object:
    return _page(rows[0], rows[1], page.limit, page.offset)


@router.get(
    "/ledgers/responsibility",
    summary="Responsibility list (责任清单)",
    response_model=ResponsibilityPage,
)
async def responsibility_list(page: PageDep, rows: HazardRows) -> object:
    """The hazard list's rows with the columns of responsibility (the model leaves out
    the others)."""
    return _page(rows[0], rows[1], page.limit, page.offset)


@router.get(
    "/figures", summary="Figures, in total or by one breakdown", response_model=FiguresAnswer
)
async def figures(
    runtime: Runtime,
    scope: ScopeDep,
    as_of: AsOf,
    lang: LangQuery = "zh",
    by: Dimension | None = None,
    campaign_id: Campaign = None,
    round_no: RoundNo = None,
) -> object:
    db = runtime.database
    total = await views.figures(
        db, scope, as_of, by=None, campaign_id=campaign_id, round_no=round_no
    )
    rows = []
    if by is not None:
        rows = await views.figures(
            db, scope, as_of, by=by, campaign_id=campaign_id, round_no=round_no, lang=lang
        )
    return {
        "as_of": as_of,
        "by": by,
        "total": total[0].as_dict(),
        "items": [f.as_dict() for f in rows],
    }


@router.get(
    "/calibration",
    summary="Calibration (以查代训): find rates across groups",
    response_model=CalibrationAnswer,
)
async def calibration(runtime: Runtime, scope: ScopeDep, campaign_id: Campaign = None) -> object:
    return await ledgers.calibration(runtime.database, scope, campaign_id)
