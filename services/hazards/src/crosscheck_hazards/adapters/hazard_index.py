"""The hazard index: one row per hazard, kept in the command's own transaction."""

from __future__ import annotations

from collections.abc import Iterable

from crosscheck_contracts.envelope import Tenant
from crosscheck_hazards.domain.hazard import Hazard
from crosscheck_platform.db import Connection, Database

_UPSERT = """
    INSERT INTO hazard_index (hazard_id, township, county, inspection_id, site_id, village_id,
                              checklist_item_id, severity, state, deadline, found_at, closed_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
    ON CONFLICT (hazard_id) DO UPDATE
       SET state = $9, deadline = $10, closed_at = $12"""


async def index_hazards(conn: Connection, tenant: Tenant, hazards: Iterable[Hazard]) -> None:
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
    await conn.executemany(_UPSERT, rows)


async def latest_closed(db: Database, township: str, site_id: str) -> dict[str, str]:
    """The latest closed hazard of the place for each checklist item."""
    rows = await db.fetch(
        """SELECT DISTINCT ON (checklist_item_id) checklist_item_id, hazard_id
           FROM hazard_index
           WHERE township = $1 AND site_id = $2 AND closed_at IS NOT NULL
           ORDER BY checklist_item_id, closed_at DESC""",
        township,
        site_id,
    )
    return {r["checklist_item_id"]: r["hazard_id"] for r in rows}
