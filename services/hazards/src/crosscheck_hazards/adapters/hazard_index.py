"""The hazard index: one row per hazard, kept in the command's own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crosscheck_contracts.envelope import Tenant
from crosscheck_hazards.domain.hazard import Hazard
from crosscheck_platform.db import Connection

_UPSERT = """
    INSERT INTO hazard_index (hazard_id, township, county, inspection_id, site_id, village_id,
                              checklist_item_id, severity, state, deadline, found_at, closed_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
    ON CONFLICT (hazard_id) DO UPDATE
       SET state = $9, deadline = $10, closed_at = $12"""


def _rows(tenant: Tenant, hazards: Iterable[Hazard]) -> list[tuple[Any, ...]]:
    rows = []
    for hazard in hazards:
        found = hazard.found
        assert found is not None and hazard.state is not None
        rows.append(
            (
                hazard.id,
                tenant.township,
                tenant.county,
                found.inspection_id,
                found.site_id,
                found.village_id,
                found.checklist_item_id,
                found.severity.value,
                hazard.state.value,
                hazard.deadline,
                found.found_at,
                hazard.closed_at,
            )
        )
    return rows


async def index_hazards(conn: Connection, tenant: Tenant, hazards: Iterable[Hazard]) -> None:
    await conn.executemany(_UPSERT, _rows(tenant, hazards))


# New hazards of an inspection and its details row in one statement (one round trip).
_INSPECTION_ROWS = """
WITH details AS (
    INSERT INTO inspection_details (inspection_id, township, checklist_version, notes)
    VALUES ($1, $2, $3, $4)
)
INSERT INTO hazard_index (hazard_id, township, county, inspection_id, site_id, village_id,
                          checklist_item_id, severity, state, deadline, found_at, closed_at)
SELECT * FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                     $11::text[], $12::text[], $13::text[], $14::timestamptz[],
                     $15::timestamptz[], $16::timestamptz[])"""


async def index_inspection(
    conn: Connection,
    tenant: Tenant,
    *,
    inspection_id: str,
    checklist_version: str,
    notes: str | None,
    hazards: Iterable[Hazard],
) -> None:
    """The details row of a newly recorded inspection and the index rows of the hazards
    it found."""
    rows = _rows(tenant, hazards)
    columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(12)]
    await conn.execute(
        _INSPECTION_ROWS, inspection_id, tenant.township, checklist_version, notes, *columns
    )
