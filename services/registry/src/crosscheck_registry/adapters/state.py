"""Loading what the domain compares against: one township's villages, places (with the
full phone numbers from the private contacts) and staff."""

from __future__ import annotations

from crosscheck_contracts.events.registry import GeoPoint, SiteType
from crosscheck_platform.db import Connection
from crosscheck_registry.domain.site import SiteFacts
from crosscheck_registry.domain.staff import StaffFacts
from crosscheck_registry.domain.state import SiteRecord, StaffRecord, TownshipState, VillageRecord


async def load_township_state(conn: Connection, township: str) -> TownshipState:
    villages = await conn.fetch(
        "SELECT id, code, name FROM villages WHERE township_code = $1 ORDER BY code", township
    )
    sites = await conn.fetch(
        """SELECT s.*, c.phone FROM sites s LEFT JOIN site_contacts c ON c.site_id = s.id
           WHERE s.township_code = $1 AND s.active""",
        township,
    )
    staff = await conn.fetch("SELECT * FROM staff WHERE township_code = $1 AND active", township)
    return TownshipState(
        code=township,
        villages=[VillageRecord(r["id"], r["code"], r["name"]) for r in villages],
        sites=[
            SiteRecord(
                r["id"],
                SiteFacts(
                    name=r["name"],
                    village_id=r["village_id"],
                    site_type=SiteType(r["site_type"]),
                    address=r["address"],
                    responsible_name=r["responsible_name"],
                    responsible_phone=r["phone"],
                    location=(
                        GeoPoint(lat=r["lat"], lon=r["lon"]) if r["lat"] is not None else None
                    ),
                ),
            )
            for r in sites
        ],
        staff=[
            StaffRecord(
                r["id"],
                StaffFacts(r["name"], r["unit"], r["is_leadership"], r["home_village_id"]),
                tuple(r["conflict_village_ids"]),
                tuple(r["conflict_site_ids"]),
                conflict_staff_ids=tuple(r["conflict_staff_ids"]),
            )
            for r in staff
        ],
    )
