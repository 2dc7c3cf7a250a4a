"""Single commands from the API: check references inside the township, then run the
command under the township's lock in one transaction."""

from __future__ import annotations

from collections.abc import Iterable

from crosscheck_platform.db import Connection, Database
from crosscheck_platform.errors import NotFound, StateConflict
from crosscheck_platform.eventstore import CommandContext, EventStore, StoredEvent
from crosscheck_platform.unit_of_work import UnitOfWork
from crosscheck_platform.unit_of_work import execute as execute_unit
from crosscheck_registry.adapters.projection import project
from crosscheck_registry.app.handlers import execute, lock_township
from crosscheck_registry.domain.commands import Command, RegisterVillage
from crosscheck_registry.domain.township import (
    Township,
    TownshipFacts,
    VillageFacts,
    check_new_village,
)


async def ensure_villages(conn: Connection, township: str, ids: Iterable[str | None]) -> None:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return
    found = await conn.fetch(
        "SELECT id FROM villages WHERE township_code = $1 AND id = ANY($2::text[])",
        township,
        wanted,
    )
    missing = set(wanted) - {r["id"] for r in found}
    if missing:
        raise NotFound("registry.village.unknown", village_id=sorted(missing)[0])


async def ensure_sites(conn: Connection, township: str, ids: Iterable[str]) -> None:
    wanted = sorted(set(ids))
    if not wanted:
        return
    found = await conn.fetch(
        "SELECT id FROM sites WHERE township_code = $1 AND active AND id = ANY($2::text[])",
        township,
        wanted,
    )
    missing = set(wanted) - {r["id"] for r in found}
    if missing:
        raise NotFound("registry.site.unknown", site_id=sorted(missing)[0])


async def ensure_staff(conn: Connection, township: str, ids: Iterable[str]) -> None:
    wanted = sorted(set(ids))
    if not wanted:
        return
    found = await conn.fetch(
        "SELECT id FROM staff WHERE township_code = $1 AND active AND id = ANY($2::text[])",
        township,
        wanted,
    )
    missing = set(wanted) - {r["id"] for r in found}
    if missing:
        raise NotFound("registry.staff.unknown", staff_id=sorted(missing)[0])


async def run_command(
    db: Database,
    store: EventStore,
    context: CommandContext,
    command: Command,
    *,
    villages: Iterable[str | None] = (),
    sites: Iterable[str] = (),
    staff: Iterable[str] = (),
) -> list[StoredEvent]:
    township = context.tenant.township
    async with db.transaction() as conn:
        await lock_township(conn, township)
        if not await conn.fetchval("SELECT 1 FROM townships WHERE code = $1", township):
            raise NotFound("registry.township.unknown", code=township)
        if isinstance(command, RegisterVillage):
            await _village_is_new(conn, township, command)
        await ensure_villages(conn, township, villages)
        await ensure_sites(conn, township, sites)
        await ensure_staff(conn, township, staff)
        return await execute(conn, store, context, [command])


async def _village_is_new(conn: Connection, township: str, command: RegisterVillage) -> None:
    rows = await conn.fetch(
        "SELECT code, name FROM villages WHERE code = $1 OR township_code = $2",
        command.facts.code,
        township,
    )
    check_new_village(command.facts, [VillageFacts(r["code"], r["name"]) for r in rows])


async def register_township(
    db: Database, store: EventStore, context: CommandContext, facts: TownshipFacts
) -> list[StoredEvent]:

    async def handler(unit: UnitOfWork) -> None:
        unit.add(Township.register(facts))

    async with db.transaction() as conn:
        await lock_township(conn, facts.code)
        if await conn.fetchval("SELECT 1 FROM townships WHERE code = $1", facts.code):
            raise StateConflict("registry.township.exists", code=facts.code)
        stored = (await execute_unit(store, context, handler, connection=conn)).events
        await project(conn, stored)
        return stored
