"""Who may read which ledgers, and the query parameters every ledger route shares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import Depends, Query

from crosscheck_contracts.envelope import Tenant
from crosscheck_ledgers.adapters.views import Page, Scope
from crosscheck_platform.auth import Principal, Role
from crosscheck_platform.auth.deps import CurrentPrincipal, authorize_tenant
from crosscheck_platform.http.params import Offset

Lang = Literal["zh", "en"]


async def scope_of(
    principal: CurrentPrincipal,
    township: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=32,
            description="One township; county viewers see every township of their county "
            "when it is left out.",
        ),
    ] = None,
) -> Scope:
    township = township or principal.township
    if township is not None:
        authorize_tenant(principal, Tenant(county=principal.county, township=township), write=False)
    village = principal.village_id if principal.role is Role.VILLAGE_COMMITTEE else None
    return Scope(county=principal.county, township=township, village_id=village)


ScopeDep = Annotated[Scope, Depends(scope_of)]


async def page_of(
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> Page:
    return Page(limit=limit, offset=offset)


PageDep = Annotated[Page, Depends(page_of)]


async def as_of_of(
    as_of: Annotated[
        datetime | None,
        Query(description="Read overdue and days open as of this time (default: now)."),
    ] = None,
) -> datetime:
    if as_of is None:
        return datetime.now(UTC)
    return as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=UTC)


AsOf = Annotated[datetime, Depends(as_of_of)]
LangQuery = Annotated[Lang, Query(description="Language of headers and labels.")]
__all__ = ["AsOf", "LangQuery", "PageDep", "Principal", "ScopeDep"]
