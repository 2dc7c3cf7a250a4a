"""Who may read which ledgers, and the query parameters every ledger route shares."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import Depends, Query
from pydantic import AfterValidator, BeforeValidator

from crosscheck_ledgers.adapters.views import Page, Scope
from crosscheck_platform.auth import Principal
from crosscheck_platform.auth.deps import CurrentPrincipal
from crosscheck_platform.http.params import Offset
from crosscheck_platform.tenancy import reading

Lang = Literal["zh", "en"]


async def scope_of(
    principal: CurrentPrincipal,
    township: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=32,
            description="One township; county roles see every township of their county "
            "when it is left out.",
        ),
    ] = None,
    village_id: Annotated[
        str | None,
        Query(
            max_length=64,
            description="One village; a village committee sees its own village only.",
        ),
    ] = None,
) -> Scope:
    """The rows the caller asked for, refused (403) where they lie outside its scope."""
    allowed = reading(principal, township=township, village_id=village_id)
    return Scope(county=allowed.county, township=allowed.township, village_id=allowed.village_id)


ScopeDep = Annotated[Scope, Depends(scope_of)]


async def page_of(
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> Page:
    return Page(limit=limit, offset=offset)


PageDep = Annotated[Page, Depends(page_of)]


def _in_utc(value: datetime | None) -> datetime | None:
    """A time without offset is UTC. Near the ends of the calendar a time with an
    offset has no UTC equivalent (0001-01-01T00:00+05:00), and PostgreSQL refused
    it as a 500: it is a 422 here."""
    if value is None:
        return None
    try:
        return value.replace(tzinfo=value.tzinfo or UTC).astimezone(UTC)
    except OverflowError:
        raise ValueError("time is out of range once converted to UTC") from None


_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _not_a_number(value: object) -> object:
    """Pydantic reads a bare number as seconds since 1970: a clerk's `as_of=2026` would
    silently mean 1970-01-01T00:33:46Z. Only a written date and time is taken."""
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        raise ValueError("a date and time such as 2026-06-30T08:00:00+08:00, not a number")
    return value


async def as_of_of(
    as_of: Annotated[
        datetime | None,
        BeforeValidator(_not_a_number),
        AfterValidator(_in_utc),
        Query(description="Read overdue and days open as of this time (default: now)."),
    ] = None,
) -> datetime:
    return datetime.now(UTC) if as_of is None else as_of


AsOf = Annotated[datetime, Depends(as_of_of)]
LangQuery = Annotated[Lang, Query(description="Language of headers and labels.")]
__all__ = ["AsOf", "LangQuery", "PageDep", "Principal", "ScopeDep"]
