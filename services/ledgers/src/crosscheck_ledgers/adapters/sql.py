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


def _create(table: Table) -> str:
    key_names = {c.name for c in table.keys}
    body = ", ".join(
        f"{c.name} {c.type}" + (" NOT NULL" if c.name in key_names else "") for c in _columns(table)
    )
    return f"CREATE TABLE IF NOT EXISTS {table.name} ({body}, PRIMARY KEY ({_key(table)}))"


def _key(table: Table) -> str:
    return ", ".join(c.name for c in table.keys)


def indexes(table: Table) -> list[str]:
    return [
        f"CREATE INDEX IF NOT EXISTS {table.name}_i{n} ON {table.name} ({columns})"
        for n, columns in enumerate(_INDEXES.get(table.name, ()))
    ]


def unique_key(table: Table) -> str:
    """The primary key's index alone, named as `_create` names it: a rebuild builds it
    on tables without keys and makes it the primary key later."""
    return f"CREATE UNIQUE INDEX {table.name}_pkey ON {table.name} ({_key(table)})"


def ddl() -> list[str]:
    statements = []
    for table in ALL_TABLES:
        statements.append(_create(table))
        statements.extend(indexes(table))
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
    keys = _key(table)
    sql = (
        f"INSERT INTO {table.name} AS t ({names}) SELECT * FROM unnest({arrays}) "
        f"ON CONFLICT ({keys}) DO UPDATE SET {', '.join(sets)}"
    )
    return Upsert(sql, tuple(columns))


Layout = tuple[tuple[str, tuple[None, ...]], ...]


def _layout(table: Table) -> Layout:
    """Per field group: its name and the NULLs that stand for it when a row lacks it.
    Taken once per table and batch (hashing a table spec to cache it costs more)."""
    return tuple((g.name, (None,) * (1 + len(g.columns))) for g in table.groups)


def _row_values(layout: Layout, key: tuple[Any, ...], row: RowState) -> list[Any]:
    values: list[Any] = [*key, row.township, row.county]
    held_groups = row.groups
    for name, absent in layout:
        held = held_groups.get(name)
        if held is None:
            values += absent
        else:
            values.append(held[0])
            values += held[1]
    return values


async def write(conn: Connection, patches: Patches) -> None:
    """Upsert every patched row, one statement per table."""
    for table, rows in patches.tables.values():
        if not rows:
            continue
        upsert = upsert_for(table)
        columns: list[list[Any]] = [[] for _ in upsert.columns]
        layout = _layout(table)
        for key, row in rows.items():
            for column, value in zip(columns, _row_values(layout, key, row), strict=True):
                column.append(value)
        await conn.execute(upsert.sql, *columns)


async def copy_into_empty(conn: Connection, patches: Patches) -> None:
    """Write every patched row with COPY: for a rebuild's new tables, where each row is
    new and written once. It skips the upsert's conflict checks and the per-element
    array encoding of the unnest form; asyncpg encodes the rows in compiled code while
    the server reads them."""
    for table, rows in patches.tables.values():
        if not rows:
            continue
        layout = _layout(table)
        await conn.copy_records_to_table(
            table.name,
            records=[_row_values(layout, key, row) for key, row in rows.items()],
            columns=[c.name for c in upsert_for(table).columns],
        )


async def lock(conn: Connection) -> None:
    """Lock the ledgers against writers until the transaction ends; readers go on."""
    names = ", ".join(t.name for t in ALL_TABLES)
    await conn.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
