"""A rebuild's new generation of the tables: filled on connections of its own, keyed,
swapped in by the transaction that holds the ledgers' lock; cleared when that fails."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta, timezone

import asyncpg
import pytest

from crosscheck_contracts.samples import all_samples
from crosscheck_ledgers.adapters import sql
from crosscheck_ledgers.adapters.generation import Generation, new_generation
from crosscheck_ledgers.domain import tables
from crosscheck_ledgers.domain.merge import Patches, Write
from crosscheck_ledgers.domain.projection import Meta, project
from crosscheck_platform.db import Database

pytestmark = pytest.mark.infra


def _patches() -> Patches:
    patches = Patches()
    meta = Meta("532327103", "532327", 3, datetime(2024, 4, 9, 2, 30, tzinfo=UTC))
    for event in all_samples():
        patches.add(project(event, meta))
    china = timezone(timedelta(hours=8))
    patches.add(
        [
            # Every column type, text that needs more than ASCII (and tab, newline,
            # backslash), microseconds, an offset other than UTC, a date before 2000.
            Write(tables.SITES, ("s-特殊",), "532327103", "532327", "name", 7, ("店\t名\n\\x",)),
            Write(
                tables.SITES,
                ("s-特殊",),
                "532327103",
                "532327",
                "closed",
                7,
                (date(1999, 12, 31), None),
            ),
            Write(
                tables.HAZARDS,
                ("h-特殊",),
                "532327103",
                "532327",
                "notified",
                2,
                (datetime(2024, 4, 9, 10, 0, 0, 123456, tzinfo=china), "s-1", "", False),
            ),
            Write(tables.ROUNDS, ("c-1", -2), "532327103", "532327", "closed", 2**31 - 1),
        ]
    )
    return patches


async def _rows(db: Database) -> dict[str, list[tuple[object, ...]]]:
    out = {}
    for table in tables.ALL_TABLES:
        keys = ", ".join(c.name for c in table.keys)
        rows = await db.fetch(f"SELECT * FROM {table.name} ORDER BY {keys}")
        out[table.name] = [tuple(r.values()) for r in rows]
    return out


async def _indexes(db: Database) -> list[tuple[str, str]]:
    rows = await db.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY 1",
        db.schema,
    )
    return [(r["indexname"], r["indexdef"]) for r in rows]


async def _schemas(db: Database) -> list[str]:
    rows = await db.fetch(
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE $1 || '%' ORDER BY 1", db.schema
    )
    return [r["nspname"] for r in rows]


async def _replace(db: Database, generation: Generation, connections: int = 2) -> None:
    async with db.transaction() as conn:
        await sql.lock(conn)
        await generation.build_keys(connections)
        await generation.swap_in(conn)


async def _upserted(database: Database, patches: Patches) -> dict[str, list[tuple[object, ...]]]:
    """Ledgers made as the live consumer makes them, holding `patches`: their rows."""
    await database.ensure_scratch_tables(sql.ddl())
    async with database.transaction() as conn:
        await sql.write(conn, patches)
    return await _rows(database)


async def test_copied_rows_swapped_in_read_as_upserted(database: Database) -> None:
    patches = _patches()
    upserted = await _upserted(database, patches)
    made_by_ddl = await _indexes(database)

    async with new_generation(database.dsn, database.schema) as generation:
        await generation.copy(patches)
        await _replace(database, generation)

    assert await _rows(database) == upserted
    assert sum(len(rows) for rows in upserted.values()) == len(patches) > 15
    assert ("s-特殊",) in patches.tables[tables.SITES.name][1]
    # The same keys and indexes as the DDL makes; the key is the primary key again.
    assert await _indexes(database) == made_by_ddl
    primary = await database.fetchval(
        "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
        "WHERE n.nspname = $1 AND c.contype = 'p'",
        database.schema,
    )
    assert primary == len(tables.ALL_TABLES)
    options = await database.fetch(
        "SELECT relname, reloptions FROM pg_class WHERE relnamespace = $1::regnamespace "
        "AND relkind = 'r'",
        database.schema,
    )
    assert {r["relname"]: r["reloptions"] for r in options} == dict.fromkeys(
        (t.name for t in tables.ALL_TABLES), None
    )  # autovacuum as for any table
    assert await _schemas(database) == [database.schema]


async def test_a_failed_rebuild_leaves_the_ledgers_and_no_generation(database: Database) -> None:
    patches = _patches()
    before = await _upserted(database, patches)

    with pytest.raises(asyncpg.UniqueViolationError):
        async with new_generation(database.dsn, database.schema) as generation:
            await generation.copy(patches)
            await generation.copy(patches)  # every row twice: no key can be built
            await _replace(database, generation)

    assert await _rows(database) == before
    assert await _schemas(database) == [database.schema]


async def test_what_a_crashed_rebuild_left_is_cleared(database: Database) -> None:
    await database.ensure_scratch_tables(sql.ddl())
    left = Generation(database.dsn, database.schema).name
    await database.execute(f"CREATE SCHEMA {left}")
    await database.execute(f"CREATE TABLE {left}.lg_hazards (half_written text)")

    async with new_generation(database.dsn, database.schema) as generation:
        await generation.copy(_patches())
        await _replace(database, generation)

    assert await _rows(database) != {t.name: [] for t in tables.ALL_TABLES}
    assert await _schemas(database) == [database.schema]


async def test_one_generation_at_a_time(database: Database) -> None:
    await database.ensure_scratch_tables(sql.ddl())
    entered: list[str] = []

    async def rebuilding(name: str, release: asyncio.Event) -> None:
        async with new_generation(database.dsn, database.schema):
            entered.append(name)
            await release.wait()

    first_done, second_done = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(rebuilding("first", first_done))
    async with asyncio.timeout(30):
        while entered != ["first"]:
            await asyncio.sleep(0.01)
    second = asyncio.create_task(rebuilding("second", second_done))
    async with asyncio.timeout(30):  # the second waits for the first's lock
        while not await database.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        ):
            await asyncio.sleep(0.01)
    assert entered == ["first"]
    first_done.set()
    second_done.set()
    await asyncio.gather(first, second)
    assert entered == ["first", "second"]
    assert await _schemas(database) == [database.schema]
