"""The hazard index (one row per hazard) and inspection details: rows the service keeps
beside its events, written by the same statement as the command's append."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crosscheck_contracts.envelope import Tenant
from crosscheck_hazards.domain.hazard import Hazard
from crosscheck_platform.db import Database
from crosscheck_platform.eventstore import TableRows

_COLUMNS = (
    "hazard_id",
    "township",
    "county",
    "inspection_id",
    "site_id",
    "village_id",
    "checklist_item_id",
    "severity",
    "state",
    "deadline",
    "found_at",
    "closed_at",
)
_TYPES = ("text",) * 9 + ("timestamptz",) * 3


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


def hazard_rows(tenant: Tenant, hazards: Iterable[Hazard]) -> TableRows:
    """Index rows of `hazards` as they are after the command (new or updated)."""
    return TableRows(
        "hazard_index",
        _COLUMNS,
        _TYPES,
        _rows(tenant, hazards),
        on_conflict="""ON CONFLICT (hazard_id) DO UPDATE
            SET state = excluded.state, deadline = excluded.deadline,
                closed_at = excluded.closed_at""",
    )


def inspection_details_rows(
    tenant: Tenant, *, inspection_id: str, checklist_version: str, notes: str | None
) -> TableRows:
    """What an inspection recorded that stays inside the service."""
    return TableRows(
        "inspection_details",
        ("inspection_id", "township", "checklist_version", "notes"),
        ("text", "text", "text", "text"),
        [(inspection_id, tenant.township, checklist_version, notes)],
    )


async def inspection_details(db: Database, inspection_id: str) -> dict[str, Any]:
    """The checklist version and notes kept for a recorded inspection (empty if none)."""
    rows = await db.fetch(
        "SELECT checklist_version, notes FROM inspection_details WHERE inspection_id = $1",
        inspection_id,
    )
    if not rows:
        return {}
    return {"checklist_version": rows[0]["checklist_version"], "notes": rows[0]["notes"]}
