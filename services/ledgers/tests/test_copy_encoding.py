"""Rows a rebuild's share process encodes for binary COPY land as asyncpg's own COPY writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from crosscheck_contracts.samples import all_samples
from crosscheck_ledgers.adapters import sql
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


async def test_encoded_rows_copy_like_asyncpg_records(database: Database) -> None:
    await database.migrate(sql.ddl())
    patches = _patches()
    async with database.transaction() as conn:
        await sql.clear(conn)
        await sql.copy_into_empty(conn, patches)
    by_records = await _rows(database)

    async with database.transaction() as conn:
        await sql.clear(conn)
        for table, rows in patches.tables.values():
            encoded = sql.encode_rows(table, rows)
            await sql.copy_encoded_into_empty(conn, table, sql.copy_data(encoded.values()))
    by_encoding = await _rows(database)

    assert by_encoding == by_records
    assert sum(len(rows) for rows in by_records.values()) == len(patches) > 15
    assert ("s-特殊",) in patches.tables[tables.SITES.name][1]
