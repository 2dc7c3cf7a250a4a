"""The read model, as a function of the registry's stored events.

Events are applied in batches: consecutive events of one type become one statement
(executemany), which is what makes a 500-row import a handful of round trips.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import Any

from crosscheck_contracts.base import Event
from crosscheck_contracts.events.registry import (
    SiteClosed,
    SiteRegistered,
    SiteUpdated,
    StaffConflictDeclared,
    StaffDeactivated,
    StaffEnrolled,
    StaffUpdated,
    TownshipRegistered,
    VillageRegistered,
)
from crosscheck_platform.db import Connection
from crosscheck_platform.eventstore import StoredEvent

_SQL: dict[type[Event], str] = {
    TownshipRegistered: """INSERT INTO townships (code, county_code, name, county_name)
        VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING""",
    VillageRegistered: """INSERT INTO villages (id, code, township_code, county_code, name)
        VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING""",
    SiteRegistered: """INSERT INTO sites (id, township_code, county_code, village_id, name,
            site_type, address, lat, lon, responsible_name, responsible_phone_masked, version)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING""",
    SiteUpdated: """UPDATE sites SET name = coalesce($2, name),
            village_id = coalesce($3, village_id), site_type = coalesce($4, site_type),
            address = coalesce($5, address), lat = coalesce($6, lat), lon = coalesce($7, lon),
            responsible_name = coalesce($8, responsible_name),
            responsible_phone_masked = coalesce($9, responsible_phone_masked), version = $10
        WHERE id = $1 AND version < $10""",
    SiteClosed: """UPDATE sites SET active = false, close_reason = $2, closed_on = $3,
            version = $4 WHERE id = $1 AND version < $4""",
    StaffEnrolled: """INSERT INTO staff (id, township_code, county_code, name, unit,
            is_leadership, home_village_id, version)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING""",
    StaffUpdated: """UPDATE staff SET name = coalesce($2, name), unit = coalesce($3, unit),
            is_leadership = coalesce($4, is_leadership),
            home_village_id = CASE WHEN $6 THEN NULL ELSE coalesce($5, home_village_id) END,
            version = $7
        WHERE id = $1 AND version < $7""",
    StaffConflictDeclared: """UPDATE staff SET
            conflict_village_ids = conflict_village_ids || $2::text[],
            conflict_site_ids = conflict_site_ids || $3::text[],
            conflict_staff_ids = conflict_staff_ids || $5::text[], version = $4
        WHERE id = $1 AND version < $4""",
    StaffDeactivated: """UPDATE staff SET active = false, version = $2
        WHERE id = $1 AND version < $2""",
}


def _arguments(stored: StoredEvent) -> tuple[Any, ...]:
    event, env = stored.event, stored.envelope
    version = env.aggregateversion
    if isinstance(event, TownshipRegistered):
        return (event.township_code, event.county_code, event.name, event.county_name)
    if isinstance(event, VillageRegistered):
        return (event.village_id, event.code, event.township_code, env.county, event.name)
    if isinstance(event, SiteRegistered):
        lat, lon = (event.location.lat, event.location.lon) if event.location else (None, None)
        return (
            event.site_id,
            env.township,
            env.county,
            event.village_id,
            event.name,
            event.site_type.value,
            event.address,
            lat,
            lon,
            event.responsible_name,
            event.responsible_phone_masked,
            version,
        )
    if isinstance(event, SiteUpdated):
        lat, lon = (event.location.lat, event.location.lon) if event.location else (None, None)
        return (
            event.site_id,
            event.name,
            event.village_id,
            event.site_type.value if event.site_type else None,
            event.address,
            lat,
            lon,
            event.responsible_name,
            event.responsible_phone_masked,
            version,
        )
    if isinstance(event, SiteClosed):
        return (event.site_id, event.reason, event.closed_on, version)
    if isinstance(event, StaffEnrolled):
        return (
            event.staff_id,
            env.township,
            env.county,
            event.name,
            event.unit,
            event.is_leadership,
            event.home_village_id,
            version,
        )
    if isinstance(event, StaffUpdated):
        return (
            event.staff_id,
            event.name,
            event.unit,
            event.is_leadership,
            event.home_village_id,
            event.moved_to_township_seat,
            version,
        )
    if isinstance(event, StaffConflictDeclared):
        return (event.staff_id, event.village_ids, event.site_ids, version, event.staff_ids)
    if isinstance(event, StaffDeactivated):
        return (event.staff_id, version)
    raise TypeError(f"the registry does not project {type(event).__name__}")


async def project(conn: Connection, events: Sequence[StoredEvent]) -> None:
    """Apply events in order; re-applying one changes nothing (versions guard updates)."""
    for kind, group in groupby(events, key=lambda stored: type(stored.event)):
        await conn.executemany(_SQL[kind], [_arguments(stored) for stored in group])
