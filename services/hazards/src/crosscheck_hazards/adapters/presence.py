"""Presence facts kept beside the events: each township's presence rule, the places'
positions (the registry's, else the one their first inspection set)."""

from __future__ import annotations

from datetime import datetime

from crosscheck_contracts.envelope import Tenant
from crosscheck_contracts.events.registry import GeoPoint
from crosscheck_hazards.domain.presence import PresenceRule
from crosscheck_platform.db import Database
from crosscheck_platform.eventstore import TableRows


async def rule_of(db: Database, township: str) -> PresenceRule:
    rows = await db.fetch(
        "SELECT radius_m, required_for_major FROM presence_rules WHERE township = $1", township
    )
    if not rows:
        return PresenceRule()
    return PresenceRule(rows[0]["radius_m"], rows[0]["required_for_major"])


async def set_rule(db: Database, township: str, rule: PresenceRule, at: datetime) -> None:
    await db.execute(
        """INSERT INTO presence_rules VALUES ($1, $2, $3, $4)
           ON CONFLICT (township) DO UPDATE SET radius_m = $2, required_for_major = $3,
               updated_at = $4""",
        township,
        rule.radius_m,
        rule.required_for_major,
        at,
    )


async def place_position(db: Database, township: str, site_id: str) -> GeoPoint | None:
    rows = await db.fetch(
        """SELECT coalesce(s.lat, p.lat) AS lat, coalesce(s.lon, p.lon) AS lon
           FROM known_sites s
           LEFT JOIN site_positions p ON p.site_id = s.site_id AND p.township = s.township
           WHERE s.township = $1 AND s.site_id = $2""",
        township,
        site_id,
    )
    if not rows or rows[0]["lat"] is None or rows[0]["lon"] is None:
        return None
    return GeoPoint(lat=rows[0]["lat"], lon=rows[0]["lon"])


def first_position_rows(
    tenant: Tenant, site_id: str, position: GeoPoint, inspection_id: str
) -> TableRows:
    """The place's position set by its first inspection (the first one written wins)."""
    return TableRows(
        "site_positions",
        ("site_id", "township", "lat", "lon", "inspection_id"),
        ("text", "text", "float8", "float8", "text"),
        [(site_id, tenant.township, position.lat, position.lon, inspection_id)],
        "ON CONFLICT DO NOTHING",
    )
