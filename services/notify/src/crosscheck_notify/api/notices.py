"""The notices history: what was scheduled for a township's hazards, and what became
of each notice."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from crosscheck_notify.adapters.notice_history import STORED_STATES, NoticeFilter, list_notices
from crosscheck_notify.api.answers import NoticePage
from crosscheck_platform.auth import Role
from crosscheck_platform.http import Runtime
from crosscheck_platform.http.params import Offset
from crosscheck_platform.tenancy.deps import TownshipScope, township_records

# The township's admin and its county's people oversee what became of its notices.
Oversight = Annotated[
    TownshipScope,
    Depends(township_records(roles=[Role.TOWNSHIP_ADMIN, Role.COUNTY_VIEWER, Role.COUNTY_ADMIN])),
]

StateName = Literal["pending", "sent", "failed", "cancelled"]


router = APIRouter(prefix="/v1/townships/{code}/notices", tags=["notices"])


@router.get("", response_model=NoticePage)
async def notices(
    scope: Oversight,
    runtime: Runtime,
    hazard_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    state: StateName | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> object:
    """Newest due first. `state`: pending, sent, failed or cancelled."""
    where = NoticeFilter(
        county=scope.tenant.county,
        township=scope.township,
        hazard_id=hazard_id,
        state=STORED_STATES[state] if state else None,
        limit=limit,
        offset=offset,
    )
    return await list_notices(runtime.database, where)
