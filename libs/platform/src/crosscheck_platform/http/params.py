"""Query parameters several services share, bounded to what PostgreSQL accepts.

An unbounded `int` from a query string reached asyncpg as it came, and a value past
64 bits failed there as a 500. OFFSET is a bigint in PostgreSQL.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from crosscheck_platform.http.storable import BIGINT_MAX

Offset = Annotated[int, Query(ge=0, le=BIGINT_MAX, description="Items to skip.")]
