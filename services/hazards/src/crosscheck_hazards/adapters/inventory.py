"""The local read model of other contexts' facts: places (registry), round plans,
closed rounds and groups (rotation). Written by the inventory consumer, read by command
handlers."""

from __future__ import annotations

from dataclasses import dataclass

from crosscheck_contracts.envelope import Tenant
from crosscheck_contracts.events import (
    CampaignLaunched,
    GroupsFormed,
    RoundClosed,
    RoundReplanned,
    RoundScheduled,
    SiteClosed,
    SiteRegistered,
    SiteUpdated,
    StaffEnrolled,
    StaffUpdated,
    TownshipRegistered,
    VillageRegistered,
)
from crosscheck_contracts.events.registry import GeoPoint, SiteType
from crosscheck_hazards.domain.inspection import SiteFacts
from crosscheck_platform.consumer import ReceivedEvent
from crosscheck_platform.db import Connection, Database


@dataclass(frozen=True)
class SiteRecord:
    facts: SiteFacts
    name: str
    address: str
    responsible_name: str
    position: GeoPoint | None = None
    """The registry's position, else the one the place's first inspection set."""


async def apply_inventory_event(conn: Connection, item: ReceivedEvent) -> None:
    """Consumer handler: keep the read model in step with registry and rotation."""
    event, township = item.event, item.envelope.township
    match event:
        case TownshipRegistered():
            await conn.execute(
                """INSERT INTO known_townships VALUES ($1, $2, $3)
                   ON CONFLICT (township) DO UPDATE SET name = $2, county_name = $3""",
                event.township_code,
                event.name,
                event.county_name,
            )
        case VillageRegistered():
            await conn.execute(
                """INSERT INTO known_villages VALUES ($1, $2, $3)
                   ON CONFLICT (village_id) DO UPDATE SET name = $3""",
                event.village_id,
                township,
                event.name,
            )
        case SiteRegistered():
            await conn.execute(
                """INSERT INTO known_sites (site_id, township, county, village_id, site_type,
                                           name, address, responsible_name, lat, lon)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                   ON CONFLICT (site_id) DO UPDATE SET village_id = $4, site_type = $5,
                       name = $6, address = $7, responsible_name = $8, closed = false,
                       lat = $9, lon = $10""",
                event.site_id,
                township,
                item.envelope.county,
                event.village_id,
                event.site_type.value,
                event.name,
                event.address,
                event.responsible_name,
                event.location.lat if event.location else None,
                event.location.lon if event.location else None,
            )
        case SiteUpdated():
            await conn.execute(
                """UPDATE known_sites SET village_id = coalesce($2, village_id),
                       site_type = coalesce($3, site_type), name = coalesce($4, name),
                       address = coalesce($5, address),
                       responsible_name = coalesce($6, responsible_name),
                       lat = coalesce($7, lat), lon = coalesce($8, lon)
                   WHERE site_id = $1""",
                event.site_id,
                event.village_id,
                event.site_type.value if event.site_type else None,
                event.name,
                event.address,
                event.responsible_name,
                event.location.lat if event.location else None,
                event.location.lon if event.location else None,
            )
        case SiteClosed():
            await conn.execute(
                "UPDATE known_sites SET closed = true WHERE site_id = $1", event.site_id
            )
        case StaffEnrolled():
            # Inspectors are named on the notices they sign (public officials in office).
            await conn.execute(
                """INSERT INTO known_staff VALUES ($1, $2, $3)
                   ON CONFLICT (staff_id) DO UPDATE SET name = $3""",
                event.staff_id,
                township,
                event.name,
            )
        case StaffUpdated(name=str()):
            await conn.execute(
                "UPDATE known_staff SET name = $2 WHERE staff_id = $1", event.staff_id, event.name
            )
        case CampaignLaunched(county=county) if county is not None:
            # One township's part of a county campaign: the other townships' teams
            # record the inspections of this township's places under it.
            await conn.execute(
                "INSERT INTO county_parts VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                event.campaign_id,
                township,
                item.envelope.county,
                county.county_campaign_id,
            )
        case GroupsFormed():
            await conn.execute(
                "DELETE FROM campaign_groups WHERE township = $1 AND campaign_id = $2",
                township,
                event.campaign_id,
            )
            await conn.executemany(
                "INSERT INTO campaign_groups VALUES ($1, $2, $3, $4, $5)",
                [
                    (township, event.campaign_id, g.group_id, g.name, list(g.member_ids))
                    for g in event.groups
                ],
            )
        case RoundScheduled() | RoundReplanned():
            # A replanned round replaces the plan wholesale.
            await conn.execute(
                "DELETE FROM round_sites WHERE township = $1 AND campaign_id = $2"
                " AND round_no = $3",
                township,
                event.campaign_id,
                event.round_no,
            )
            await conn.executemany(
                "INSERT INTO round_sites VALUES ($1, $2, $3, $4, $5, $6)",
                [
                    (township, event.campaign_id, event.round_no, site, a.group_id, a.zone_id)
                    for a in event.assignments
                    for site in a.site_ids
                ],
            )
        case RoundClosed():
            await conn.execute(
                "INSERT INTO closed_rounds VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                township,
                event.campaign_id,
                event.round_no,
            )
        case _:
            pass  # other facts of these contexts do not concern inspections


class Inventory:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def site(self, township: str, site_id: str) -> SiteRecord | None:
        rows = await self.db.fetch(
            "SELECT * FROM known_sites WHERE township = $1 AND site_id = $2", township, site_id
        )
        if not rows:
            return None
        row = rows[0]
        facts = SiteFacts(
            site_id=row["site_id"],
            village_id=row["village_id"],
            site_type=SiteType(row["site_type"]),
            closed=row["closed"],
        )
        return SiteRecord(facts, row["name"], row["address"], row["responsible_name"])

    async def townships_of_county(self, county: str) -> list[str]:
        """The county's townships whose places this service knows."""
        rows = await self.db.fetch(
            "SELECT DISTINCT township FROM known_sites WHERE county = $1 ORDER BY township",
            county,
        )
        return [r["township"] for r in rows]

    async def group_name(self, township: str, campaign_id: str, group_id: str) -> str | None:
        name = await self.db.fetchval(
            """SELECT name FROM campaign_groups
               WHERE township = $1 AND campaign_id = $2 AND group_id = $3""",
            township,
            campaign_id,
            group_id,
        )
        return str(name) if name is not None else None

    async def township_name(self, township: str) -> str | None:
        name = await self.db.fetchval(
            "SELECT name FROM known_townships WHERE township = $1", township
        )
        return str(name) if name is not None else None

    async def county_part(self, campaign_id: str) -> Tenant | None:
        """The township whose part of a county campaign `campaign_id` is (None for a
        township's own campaign, or one not known here)."""
        rows = await self.db.fetch(
            "SELECT township, county FROM county_parts WHERE campaign_id = $1", campaign_id
        )
        return Tenant(county=rows[0]["county"], township=rows[0]["township"]) if rows else None

    async def in_groups(self, township: str, campaign_id: str, staff_id: str) -> bool:
        """Whether the staff member is in one of the campaign's groups there."""
        found = await self.db.fetchval(
            """SELECT EXISTS (SELECT 1 FROM campaign_groups WHERE township = $1
                              AND campaign_id = $2 AND $3 = ANY(member_ids))""",
            township,
            campaign_id,
            staff_id,
        )
        return bool(found)

    async def staff_names(self, township: str, staff_ids: list[str]) -> dict[str, str]:
        """Names of the township's staff, and of its county's (the teams of a county
        campaign come from the other townships: a township code extends its county's)."""
        rows = await self.db.fetch(
            "SELECT staff_id, name FROM known_staff WHERE staff_id = ANY($2::text[])"
            " AND (township = $1 OR left(township, 6) = left($1, 6))",
            township,
            staff_ids,
        )
        return {r["staff_id"]: r["name"] for r in rows}

    async def village_name(self, village_id: str) -> str | None:
        name = await self.db.fetchval(
            "SELECT name FROM known_villages WHERE village_id = $1", village_id
        )
        return str(name) if name is not None else None
