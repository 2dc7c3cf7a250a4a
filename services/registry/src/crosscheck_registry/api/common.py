"""What the registry's routers share: paging parameters and which
township a request is about, as far as the caller may see it (`crosscheck_platform.tenancy`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from crosscheck_platform.auth import Role
from crosscheck_platform.http.params import Offset
from crosscheck_platform.tenancy.deps import TownshipScope, township_records, township_villages
from crosscheck_registry.adapters.queries import Page


def paging(
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> Page:
    return Page(limit, offset)


Records = Annotated[TownshipScope, Depends(township_records())]
"""The township's own records (its staff): not its village committees'."""
Villages = Annotated[TownshipScope, Depends(township_villages())]
"""The township, its villages and places: a village committee sees its own village's."""
AdminWrite = Annotated[
    TownshipScope, Depends(township_records(write=True, roles=[Role.TOWNSHIP_ADMIN]))
]
"""Changes to the inventory: the township's admin only."""
