"""The rotation's read model of the registry: villages, places and staff, kept by the
roster consumer from the registry's events, read by the command handlers.

Deactivated staff and closed places stay (flagged): a past round is re-checked against
the people who were in its groups.
"""

from __future__ import annotations

import json

from crosscheck_contracts.events import hazards as hz
from crosscheck_contracts.events import notify as nt
from crosscheck_contracts.events import registry as reg
from crosscheck_platform.consumer import ReceivedEvent
from crosscheck_platform.db import Connection, Database
from crosscheck_rotation.domain.model import StaffMember
from crosscheck_rotation.domain.risk import Finding, Visited
from crosscheck_rotation.domain.roster_version import Roster, from_facts


async def apply_registry_event(conn: Connection, item: ReceivedEvent) -> None:
    """Consumer handler. One aggregate's events arrive in order (same key, same
    partition); villages, places and staff need no order among each other."""
    event, township = item.event, item.envelope.township
    match event:
        case reg.TownshipRegistered():
            await conn.execute(
                """INSERT INTO roster_townships VALUES ($1, $2, $3, $4)
                   ON CONFLICT (township) DO UPDATE SET name = $3, county_name = $4""",
                event.township_code,
                event.county_code,
                event.name,
                event.county_name,
            )
        case reg.VillageRegistered():
            await conn.execute(
                """INSERT INTO roster_villages VALUES ($1, $2, $3)
                   ON CONFLICT (village_id) DO UPDATE SET name = $3""",
                event.village_id,
                township,
                event.name,
            )
        case reg.SiteRegistered():
            await conn.execute(
                """INSERT INTO roster_sites (site_id, township, village_id, closed, name)
                   VALUES ($1, $2, $3, false, $4)
                   ON CONFLICT (site_id) DO UPDATE SET village_id = $3, closed = false,
                       name = $4""",
                event.site_id,
                township,
                event.village_id,
                event.name,
            )
        case reg.SiteUpdated():
            await conn.execute(
                """UPDATE roster_sites SET village_id = coalesce($2, village_id),
                       name = coalesce($3, name) WHERE site_id = $1""",
                event.site_id,
                event.village_id,
                event.name,
            )
        case reg.SiteClosed():
            await conn.execute(
                "UPDATE roster_sites SET closed = true WHERE site_id = $1", event.site_id
            )
        case reg.StaffEnrolled():
            await conn.execute(
                """INSERT INTO roster_staff (staff_id, township, unit, is_leadership,
                                            home_village_id, name)
                   VALUES ($1, $2, $3, $4, $5, $6)
                   ON CONFLICT (staff_id) DO UPDATE SET unit = $3, is_leadership = $4,
                       home_village_id = $5, active = true, name = $6""",
                event.staff_id,
                township,
                event.unit,
                event.is_leadership,
                event.home_village_id,
                event.name,
            )
        case reg.StaffUpdated():
            await conn.execute(
                """UPDATE roster_staff SET unit = coalesce($2, unit),
                       is_leadership = coalesce($3, is_leadership),
                       home_village_id = CASE WHEN $4 THEN NULL
                                              ELSE coalesce($5, home_village_id) END,
                       name = coalesce($6, name)
                   WHERE staff_id = $1""",
                event.staff_id,
                event.unit,
                event.is_leadership,
                event.moved_to_township_seat,
                event.home_village_id,
                event.name,
            )
        case reg.StaffConflictDeclared():
            await conn.execute(
                """UPDATE roster_staff SET
                       conflict_villages = ARRAY(SELECT DISTINCT unnest(conflict_villages || $2)),
                       conflict_sites = ARRAY(SELECT DISTINCT unnest(conflict_sites || $3)),
                       conflict_staff = ARRAY(SELECT DISTINCT unnest(conflict_staff || $4))
                   WHERE staff_id = $1""",
                event.staff_id,
                list(event.village_ids),
                list(event.site_ids),
                list(event.staff_ids),
            )
        case reg.StaffDeactivated():
            await conn.execute(
                "UPDATE roster_staff SET active = false WHERE staff_id = $1", event.staff_id
            )
        case hz.HazardFound():
            await conn.execute(
                """INSERT INTO findings (hazard_id, township, campaign_id, round_no, site_id,
                                         major)
                   VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (hazard_id) DO NOTHING""",
                event.hazard_id,
                township,
                event.campaign_id,
                event.round_no,
                event.site_id,
                event.severity == hz.Severity.MAJOR,
            )
        case hz.InspectionCompleted():
            await conn.execute(
                """INSERT INTO visits (inspection_id, township, campaign_id, round_no, site_id,
                                       group_id, inspected_at, hazards, flags)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                   ON CONFLICT (inspection_id) DO NOTHING""",
                event.inspection_id,
                township,
                event.campaign_id,
                event.round_no,
                event.site_id,
                event.group_id,
                event.inspected_at,
                len(event.hazard_ids),
                [f.value for f in event.presence.flags] if event.presence else [],
            )
        case hz.RectificationVerified():
            await conn.execute(
                "UPDATE findings SET closed = true WHERE hazard_id = $1", event.hazard_id
            )
        case nt.RectificationOverdue():
            await conn.execute(
                "UPDATE findings SET overdue = true WHERE hazard_id = $1", event.hazard_id
            )
        case _:
            pass  # other facts do not concern the rotation


async def staff(conn: Connection, township: str, *, active_only: bool) -> dict[str, StaffMember]:
    rows = await conn.fetch(
        """SELECT * FROM roster_staff WHERE township = $1 AND (active OR NOT $2)
           ORDER BY staff_id""",
        township,
        active_only,
    )
    return {
        r["staff_id"]: StaffMember(
            staff_id=r["staff_id"],
            unit=r["unit"],
            is_leadership=r["is_leadership"],
            home_village_id=r["home_village_id"],
            conflict_village_ids=frozenset(r["conflict_villages"]),
            conflict_site_ids=frozenset(r["conflict_sites"]),
            name=r["name"],
            conflict_staff_ids=frozenset(r["conflict_staff"]),
        )
        for r in rows
    }


async def open_sites(conn: Connection, township: str) -> dict[str, str]:
    """Site id -> village id of every place still to be inspected."""
    rows = await conn.fetch(
        "SELECT site_id, village_id FROM roster_sites WHERE township = $1 AND NOT closed",
        township,
    )
    return {r["site_id"]: r["village_id"] for r in rows}


async def village_names(conn: Connection, township: str) -> dict[str, str]:
    rows = await conn.fetch(
        "SELECT village_id, name FROM roster_villages WHERE township = $1", township
    )
    return {r["village_id"]: r["name"] for r in rows}


async def site_names(conn: Connection, township: str) -> dict[str, str]:
    """Site id -> name of every place the township ever had (closed ones too)."""
    rows = await conn.fetch("SELECT site_id, name FROM roster_sites WHERE township = $1", township)
    return {r["site_id"]: r["name"] or r["site_id"] for r in rows}


async def township_names(conn: Connection, county: str) -> dict[str, str]:
    """Township code -> name of the county's townships this service heard of."""
    rows = await conn.fetch("SELECT township, name FROM roster_townships WHERE county = $1", county)
    return {r["township"]: r["name"] for r in rows}


async def current(conn: Connection, township: str) -> Roster:
    """The active staff and open places now, kept by content version (idempotent), so a
    decision made from them can be replayed from the same roster later."""
    found = Roster(await staff(conn, township, active_only=True), await open_sites(conn, township))
    await conn.execute(
        """INSERT INTO roster_snapshots (township, version, facts) VALUES ($1, $2, $3::jsonb)
           ON CONFLICT DO NOTHING""",
        township,
        found.version,
        json.dumps(found.facts(), ensure_ascii=False),
    )
    return found


async def as_recorded(conn: Connection, township: str, version: str) -> Roster | None:
    """The roster of that version, as a decision read it; None if it was never kept."""
    text = await conn.fetchval(
        "SELECT facts::text FROM roster_snapshots WHERE township = $1 AND version = $2",
        township,
        version,
    )
    return None if text is None else from_facts(json.loads(text))


class PostgresRoster:
    """The `RosterSource` the command handlers read (`app.roster`), from this read model."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def current(self, township: str) -> Roster:
        async with self.db.pool.acquire() as conn:
            return await current(conn, township)

    async def as_recorded(self, township: str, version: str) -> Roster | None:
        async with self.db.pool.acquire() as conn:
            return await as_recorded(conn, township, version)

    async def staff(self, township: str, *, active_only: bool) -> dict[str, StaffMember]:
        async with self.db.pool.acquire() as conn:
            return await staff(conn, township, active_only=active_only)

    async def open_sites(self, township: str) -> dict[str, str]:
        async with self.db.pool.acquire() as conn:
            return await open_sites(conn, township)

    async def village_names(self, township: str) -> dict[str, str]:
        async with self.db.pool.acquire() as conn:
            return await village_names(conn, township)

    async def site_names(self, township: str) -> dict[str, str]:
        async with self.db.pool.acquire() as conn:
            return await site_names(conn, township)

    async def township_names(self, county: str) -> dict[str, str]:
        async with self.db.pool.acquire() as conn:
            return await township_names(conn, county)

    async def visits(self, campaign_id: str) -> list[Visited]:
        rows = await self.db.fetch(
            """SELECT inspection_id, site_id, round_no, group_id, inspected_at, hazards, flags
               FROM visits WHERE campaign_id = $1 ORDER BY inspection_id""",
            campaign_id,
        )
        return [
            Visited(
                r["inspection_id"],
                r["site_id"],
                r["round_no"],
                r["group_id"],
                r["inspected_at"],
                r["hazards"],
                frozenset(r["flags"]),
            )
            for r in rows
        ]

    async def findings(self, campaign_id: str) -> list[Finding]:
        rows = await self.db.fetch(
            """SELECT site_id, round_no, major, closed, overdue FROM findings
               WHERE campaign_id = $1 ORDER BY hazard_id""",
            campaign_id,
        )
        return [
            Finding(r["site_id"], r["round_no"], r["major"], r["closed"], r["overdue"])
            for r in rows
        ]
