"""The place and notice facts a notice names: kept from the registry's places and the
hazards' NoticeIssued by a consumer of their own, read when a notice is sent (not when it
is planned: a place registered or a notice issued later still shows)."""

from __future__ import annotations

from collections.abc import Iterable

from crosscheck_contracts.events import NoticeIssued, SiteRegistered, SiteUpdated
from crosscheck_platform.consumer import ReceivedEvent
from crosscheck_platform.db import Connection, Database


async def apply_place_event(conn: Connection, item: ReceivedEvent) -> None:
    """Consumer handler: idempotent (upserts; a link only replaces an older one)."""
    event, township = item.event, item.envelope.township
    match event:
        case SiteRegistered():
            await conn.execute(
                """INSERT INTO known_places VALUES ($1, $2, $3, $4)
                   ON CONFLICT (site_id) DO UPDATE SET name = $3, address = $4""",
                event.site_id,
                township,
                event.name,
                event.address,
            )
        case SiteUpdated():
            await conn.execute(
                """UPDATE known_places SET name = coalesce($2, name),
                       address = coalesce($3, address) WHERE site_id = $1""",
                event.site_id,
                event.name,
                event.address,
            )
        case NoticeIssued():
            await conn.executemany(
                """INSERT INTO hazard_links VALUES ($1, $2, $3, $4, $5)
                   ON CONFLICT (hazard_id) DO UPDATE
                   SET file_number = $3, status_url = $4, version = $5
                   WHERE hazard_links.version < $5""",
                [
                    (
                        h,
                        township,
                        event.file_number,
                        event.status_url,
                        item.envelope.aggregateversion,
                    )
                    for h in event.hazard_ids
                ],
            )
        case _:
            pass  # other registry and hazards facts are not named in notices


async def notice_details(
    db: Database, pairs: Iterable[tuple[str, str | None]]
) -> dict[str, dict[str, str]]:
    """For each (hazard id, place id): the place's name and address and the notice's
    status link, as template parameters ("" where not known)."""
    sites: dict[str, str | None] = {}
    for hazard_id, site_id in pairs:
        sites[hazard_id] = sites.get(hazard_id) or site_id  # a known place wins
    wanted = list(sites.items())
    if not wanted:
        return {}
    rows = await db.fetch(
        """SELECT w.hazard_id, p.name, p.address, l.file_number, l.status_url
           FROM unnest($1::text[], $2::text[]) AS w(hazard_id, site_id)
           LEFT JOIN known_places p ON p.site_id = w.site_id
           LEFT JOIN hazard_links l ON l.hazard_id = w.hazard_id""",
        [h for h, _ in wanted],
        [s for _, s in wanted],
    )
    return {
        r["hazard_id"]: {
            "place": r["name"] or "",
            "address": r["address"] or "",
            "file_number": r["file_number"] or "",
            "status_url": r["status_url"] or "",
        }
        for r in rows
    }
