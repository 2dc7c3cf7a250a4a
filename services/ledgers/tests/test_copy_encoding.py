"""Rows a rebuild's share process encodes for binary COPY land as asyncpg's own COPY writes them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from crosscheck_contracts.samples import all_samples
from crosscheck_ledgers.adapters import sql
from crosscheck_ledgers.domain import tables
from crosscheck_ledgers.domain.merge import Patches, Write
from crosscheck_ledgers.domain.projection import Meta, project
from crosscheck_platform.db import Connection, Database

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


async def _new_generation(
    database: Database, write: Callable[[Connection], Awaitable[None]]
) -> None:
    async with database.transaction() as conn:
        await sql.begin_generation(conn, database.schema)
        await write(conn)
        await sql.key_generation(conn)
        await sql.swap_generation(conn, database.schema)


async def test_encoded_rows_copy_like_asyncpg_records(database: Database) -> None:
    await database.migrate(sql.ddl())
    patches = _patches()

    async def by_records(conn: Connection) -> None:
        await sql.copy_into_empty(conn, patches)

    async def by_encoding(conn: Connection) -> None:
        for table, rows in patches.tables.values():
            encoded = sql.encode_rows(table, rows)
            await sql.copy_encoded_into_empty(conn, table, sql.copy_data(encoded.values()))

    await _new_generation(database, by_records)
    from_records = await _rows(database)
    await _new_generation(database, by_encoding)
    from_encoding = await _rows(database)

    assert from_encoding == from_records
    assert sum(len(rows) for rows in from_records.values()) == len(patches) > 15
    assert ("s-特殊",) in patches.tables[tables.SITES.name][1]
