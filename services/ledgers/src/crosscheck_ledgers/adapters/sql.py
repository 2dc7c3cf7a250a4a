"""The table specs compiled to PostgreSQL: DDL, and one guarded upsert per table.

A batch is first merged in memory (each row once), then written with one
`INSERT ... SELECT FROM unnest(...) ON CONFLICT DO UPDATE` per table. A field group
absent from a row is passed as NULLs with a NULL version and leaves the stored group
alone; a present one replaces the stored group only if its version is newer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from crosscheck_ledgers.domain.merge import Patches, RowState
from crosscheck_ledgers.domain.tables import ALL_TABLES, Column, Table
from crosscheck_platform.db import Connection

TENANT = (Column("township"), Column("county"))

# Indexes the ledger queries filter and join on (tenant first: every query is scoped).
_INDEXES = {
    "lg_hazards": ("county, township, found_at", "site_id", "inspection_id"),
    "lg_inspections": ("county, township, campaign_id, round_no", "site_id"),
    "lg_sites": ("county, township, village_id",),
}


def _columns(table: Table) -> list[Column]:
    cols = [*table.keys, *TENANT]
    for group in table.groups:
        cols.append(Column(group.version_column, "integer"))
        cols.extend(group.columns)
    return cols


def ddl() -> list[str]:
    statements = []
    for table in ALL_TABLES:
        key_names = {c.name for c in table.keys}
        body = ", ".join(
            f"{c.name} {c.type}" + (" NOT NULL" if c.name in key_names else "")
            for c in _columns(table)
        )
        keys = ", ".join(c.name for c in table.keys)
        statements.append(f"CREATE TABLE IF NOT EXISTS {table.name} ({body}, PRIMARY KEY ({keys}))")
        for n, columns in enumerate(_INDEXES.get(table.name, ())):
            statements.append(
                f"CREATE INDEX IF NOT EXISTS {table.name}_i{n} ON {table.name} ({columns})"
            )
    return statements


@dataclass(frozen=True)
class Upsert:
    sql: str
    columns: tuple[Column, ...]


@cache
def upsert_for(table: Table) -> Upsert:
    columns = _columns(table)
    names = ", ".join(c.name for c in columns)
    arrays = ", ".join(f"${n}::{c.type}[]" for n, c in enumerate(columns, start=1))
    sets = ["township = COALESCE(t.township, EXCLUDED.township)"]
    sets.append("county = COALESCE(t.county, EXCLUDED.county)")
    for group in table.groups:
        v = group.version_column
        newer = f"EXCLUDED.{v} > COALESCE(t.{v}, 0)"
        for name in [v, *(c.name for c in group.columns)]:
            sets.append(f"{name} = CASE WHEN {newer} THEN EXCLUDED.{name} ELSE t.{name} END")
    keys = ", ".join(c.name for c in table.keys)
    sql = (
        f"INSERT INTO {table.name} AS t ({names}) SELECT * FROM unnest({arrays}) "
        f"ON CONFLICT ({keys}) DO UPDATE SET {', '.join(sets)}"
    )
    return Upsert(sql, tuple(columns))


def _row_values(table: Table, key: tuple[Any, ...], row: RowState) -> list[Any]:
    values: list[Any] = [*key, row.township, row.county]
    for group in table.groups:
        held = row.groups.get(group.name)
        if held is None:
            values.append(None)
            values.extend([None] * len(group.columns))
        else:
            values.append(held[0])
            values.extend(held[1])
    return values


async def write(conn: Connection, patches: Patches) -> None:
    """Upsert every patched row, one statement per table."""
    for table, rows in patches.tables.values():
        if not rows:
            continue
        upsert = upsert_for(table)
        columns: list[list[Any]] = [[] for _ in upsert.columns]
        for key, row in rows.items():
            for column, value in zip(columns, _row_values(table, key, row), strict=True):
                column.append(value)
        await conn.execute(upsert.sql, *columns)


async def copy_into_empty(conn: Connection, patches: Patches) -> None:
    """Write every patched row with COPY: for tables emptied in this transaction, where
    each row is new and written once. It skips the upsert's conflict checks and the
    per-element array encoding of the unnest form."""
    for table, rows in patches.tables.values():
        if not rows:
            continue
        await conn.copy_records_to_table(
            table.name,
            records=[_row_values(table, key, row) for key, row in rows.items()],
            columns=[c.name for c in upsert_for(table).columns],
        )


async def clear(conn: Connection) -> None:
    """Empty the projection in the caller's transaction (readers keep the old rows until
    it commits; concurrent writers wait on the lock)."""
    names = ", ".join(t.name for t in ALL_TABLES)
    await conn.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
    for table in ALL_TABLES:
        await conn.execute(f"DELETE FROM {table.name}")
