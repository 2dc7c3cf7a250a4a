"""List and detail queries over the read model, always within one township (or, for
townships, one county). Raw SQL on purpose: these are views, not aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crosscheck_platform.db import Connection


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def _page(rows: list[Any], page: Page) -> dict[str, Any]:
    total = rows[0]["total"] if rows else 0
    items = [{k: v for k, v in dict(r).items() if k != "total"} for r in rows]
    return {"total": total, "limit": page.limit, "offset": page.offset, "items": items}


_SITE_COLUMNS = """s.id, s.name, s.village_id, v.name AS village_name, s.site_type, s.address,
    s.lat, s.lon, s.responsible_name, s.responsible_phone_masked, s.active, s.closed_on,
    s.close_reason, s.version"""


async def list_sites(
    conn: Connection,
    township: str,
    page: Page,
    *,
    village_id: str | None = None,
    site_type: str | None = None,
    status: str = "active",
    q: str | None = None,
) -> dict[str, Any]:
    rows = await conn.fetch(
        f"""SELECT {_SITE_COLUMNS}, c.phone AS responsible_phone, count(*) OVER () AS total
            FROM sites s JOIN villages v ON v.id = s.village_id
            LEFT JOIN site_contacts c ON c.site_id = s.id
            WHERE s.township_code = $1
              AND ($2::text IS NULL OR s.village_id = $2)
              AND ($3::text IS NULL OR s.site_type = $3)
              AND ($4 = 'all' OR s.active = ($4 = 'active'))
              AND ($5::text IS NULL OR strpos(s.name, $5) > 0 OR strpos(s.address, $5) > 0)
            ORDER BY v.code, s.name, s.id
            LIMIT $6 OFFSET $7""",
        township,
        village_id,
        site_type,
        status,
        q,
        page.limit,
        page.offset,
    )
    return _page(rows, page)


async def get_site(conn: Connection, township: str, site_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        f"""SELECT {_SITE_COLUMNS}, c.phone AS responsible_phone
            FROM sites s JOIN villages v ON v.id = s.village_id
            LEFT JOIN site_contacts c ON c.site_id = s.id
            WHERE s.township_code = $1 AND s.id = $2""",
        township,
        site_id,
    )
    return dict(row) if row else None


async def list_staff(
    conn: Connection,
    township: str,
    page: Page,
    *,
    status: str = "active",
    is_leadership: bool | None = None,
    home_village_id: str | None = None,
    q: str | None = None,
) -> dict[str, Any]:
    rows = await conn.fetch(
        """SELECT id, name, unit, is_leadership, home_village_id, conflict_village_ids,
                  conflict_site_ids, conflict_staff_ids, active, version, count(*) OVER () AS total
           FROM staff
           WHERE township_code = $1
             AND ($2 = 'all' OR active = ($2 = 'active'))
             AND ($3::boolean IS NULL OR is_leadership = $3)
             AND ($4::text IS NULL OR home_village_id = $4)
             AND ($5::text IS NULL OR strpos(name, $5) > 0 OR strpos(unit, $5) > 0)
           ORDER BY is_leadership DESC, name, id
           LIMIT $6 OFFSET $7""",
        township,
        status,
        is_leadership,
        home_village_id,
        q,
        page.limit,
        page.offset,
    )
    return _page(rows, page)


async def get_staff(conn: Connection, township: str, staff_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        "SELECT * FROM staff WHERE township_code = $1 AND id = $2", township, staff_id
    )
    return dict(row) if row else None


async def list_villages(conn: Connection, township: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT v.id, v.code, v.name,
                  (SELECT count(*) FROM sites s WHERE s.village_id = v.id AND s.active)
                      AS active_sites
           FROM villages v WHERE v.township_code = $1 ORDER BY v.code""",
        township,
    )
    return [dict(r) for r in rows]


async def get_village(conn: Connection, township: str, village_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        "SELECT id, code, name FROM villages WHERE township_code = $1 AND id = $2",
        township,
        village_id,
    )
    return dict(row) if row else None


async def get_township(conn: Connection, code: str) -> dict[str, Any] | None:
    row = await conn.fetchrow("SELECT * FROM townships WHERE code = $1", code)
    return dict(row) if row else None


async def list_townships(
    conn: Connection, county: str, township: str | None
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT * FROM townships
           WHERE county_code = $1 AND ($2::text IS NULL OR code = $2) ORDER BY code""",
        county,
        township,
    )
    return [dict(r) for r in rows]
