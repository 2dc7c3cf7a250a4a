"""A rebuild's new generation of the ledger tables, built beside the live ones.

The new tables live in a schema of their own (`<schema>_rebuild`), created and committed
on a connection of their own, not in the rebuild's transaction: so that more than one
connection can fill and index them at once. Each share process COPYs its rows on its own
connection, and the keys and indexes are built on one connection per core. The rebuild's
transaction, which holds the ledgers' lock throughout, merges the rows gathered by more
than one share and swaps the new tables in just before its commit (`swap_in`); until
then nobody reads them.

The share processes COPY with asyncpg's compiled encoder, on their own connections: that
costs about what encoding the rows in Python alone cost before, and the COPYs and index
builds no longer wait for each other on one connection.

One rebuild of a schema builds a generation at a time: a session advisory lock, held by
the generation's own connection until it closes (also when the process dies), makes the
next wait. The next one clears whatever a failed one left.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import asyncpg

from crosscheck_ledgers.adapters import sql
from crosscheck_ledgers.domain.merge import Patches
from crosscheck_ledgers.domain.tables import ALL_TABLES
from crosscheck_platform.concurrency import all_of
from crosscheck_platform.db import Connection, dedicated_connection


@dataclass(frozen=True)
class Generation:
    """The new tables of the ledgers of `schema`, in the schema `name`."""

    dsn: str
    schema: str

    @property
    def name(self) -> str:
        return f"{self.schema}_rebuild"

    def connection(self) -> AbstractAsyncContextManager[asyncpg.Connection]:
        """A connection of its own whose unqualified names are the new tables."""
        return dedicated_connection(self.dsn, self.name)

    async def copy(self, patches: Patches) -> None:
        """COPY rows that are new to the tables and unkeyed, committed at once."""
        async with self.connection() as conn:
            await sql.copy_into_empty(conn, patches)

    async def build_keys(self, connections: int) -> None:
        """Every table's key (as a unique index) and indexes, on `connections` at once,
        the largest tables' first. A duplicate row fails its key here."""
        async with self.connection() as conn:
            rows = await conn.fetch(
                "SELECT c.relname, pg_relation_size(c.oid) AS size FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = $1 AND c.relkind = 'r'",
                self.name,
            )
        sizes: dict[str, int] = {row["relname"]: row["size"] for row in rows}
        statements = iter(
            [
                statement
                for table in sorted(ALL_TABLES, key=lambda t: -sizes.get(t.name, 0))
                for statement in (sql.unique_key(table), *sql.indexes(table))
            ]
        )

        async def build() -> None:  # the next statement not taken yet, until none is left
            async with self.connection() as conn:
                # One connection per core already: PostgreSQL's own parallel workers
                # on top only crowd the cores (the keys took longer with them).
                await conn.execute("SET max_parallel_maintenance_workers = 0")
                for statement in statements:
                    await conn.execute(statement)

        await all_of(*(build() for _ in range(max(1, connections))))

    async def swap_in(self, conn: Connection) -> None:
        """In the transaction holding the ledgers' lock, after `build_keys`: replace
        the ledgers with the new tables. Readers wait from here to the commit;
        statements waiting on the old tables look their names up again once it is
        committed, and find the new ones."""
        # Statistics now, or the first queries after the swap are planned blind. From a
        # small sample: the default one takes a sizeable part of a large rebuild's
        # commit, and a small one is enough for the ledgers' tenant-scoped queries.
        await conn.execute("SET LOCAL default_statistics_target = 10")
        for table in ALL_TABLES:
            await conn.execute(f"ANALYZE {self.name}.{table.name}")
            # The unique index becomes the primary key, as `ddl` makes it (no scan:
            # the key columns are NOT NULL already), and autovacuum looks after the
            # table again.
            await conn.execute(
                f"ALTER TABLE {self.name}.{table.name} ADD CONSTRAINT {table.name}_pkey "
                f"PRIMARY KEY USING INDEX {table.name}_pkey, RESET (autovacuum_enabled)"
            )
        await self._grant_as_before(conn)
        names = ", ".join(f"{self.schema}.{t.name}" for t in ALL_TABLES)
        await conn.execute(f"DROP TABLE {names}")
        for table in ALL_TABLES:
            await conn.execute(f"ALTER TABLE {self.name}.{table.name} SET SCHEMA {self.schema}")
        await conn.execute(f"DROP SCHEMA {self.name}")

    async def _grant_as_before(self, conn: Connection) -> None:
        """The privileges others hold on the live tables, on the new ones too. The
        services connect as a role granted the rows and nothing else (crosscheck-migrate
        --runtime-role); the schema's default privileges would give it the new tables
        had they been made in the schema, but they were made in the generation's."""
        rows = await conn.fetch(
            "SELECT c.relname, a.privilege_type, a.is_grantable, "
            "CASE WHEN a.grantee = 0 THEN 'PUBLIC' "
            "ELSE quote_ident(pg_get_userbyid(a.grantee)) END AS grantee "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "CROSS JOIN LATERAL aclexplode(c.relacl) AS a "
            "WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND a.grantee <> c.relowner",
            self.schema,
            [table.name for table in ALL_TABLES],
        )
        grants = [
            f"GRANT {row['privilege_type']} ON {self.name}.{row['relname']} TO {row['grantee']}"
            + (" WITH GRANT OPTION" if row["is_grantable"] else "")
            for row in rows
        ]
        if grants:  # one round trip, in the transaction that swaps the tables in
            await conn.execute(";\n".join(grants))


@asynccontextmanager
async def new_generation(dsn: str, schema: str) -> AsyncIterator[Generation]:
    """Empty tables without keys, like the ledgers of `schema`, for one rebuild; gone
    afterwards (swapped in, or dropped if the rebuild failed)."""
    generation = Generation(dsn, schema)
    async with generation.connection() as conn:
        await conn.execute("SELECT pg_advisory_lock(hashtext($1), hashtext('rebuild'))", schema)
        await _drop(conn, generation)  # what a failed rebuild may have left
        async with conn.transaction():
            await conn.execute(f"CREATE SCHEMA {generation.name}")
            for table in ALL_TABLES:
                # No autovacuum while they are filled and indexed: its lock would hold
                # an index build back for up to a second (deadlock_timeout) before it
                # gave way. Statistics come with the swap.
                await conn.execute(
                    f"CREATE TABLE {generation.name}.{table.name} "
                    f"(LIKE {schema}.{table.name}) WITH (autovacuum_enabled = false)"
                )
        try:
            yield generation
        finally:
            await _drop(conn, generation)


async def _drop(conn: asyncpg.Connection, generation: Generation) -> None:
    await conn.execute(f"DROP SCHEMA IF EXISTS {generation.name} CASCADE")
