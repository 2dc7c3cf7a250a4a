"""PostgreSQL access: one asyncpg pool per process, one schema per service.

Every table a service owns lives in its own schema, so per-test schemas isolate tests
and a service never reads another's tables.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeAlias

import asyncpg

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    # What handlers and stores receive: a pooled connection or a plain one.
    Connection: TypeAlias = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]
else:
    Connection = asyncpg.Connection

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def checked_identifier(name: str) -> str:
    """Schema and table names are interpolated into SQL, so only plain names pass."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a safe SQL identifier: {name!r}")
    return name


async def _keep_session(conn: Connection) -> None:
    """Pool connections are returned without asyncpg's reset query (RESET ALL, UNLISTEN,
    advisory unlock: a round trip per release, several per command). Open transactions
    are still rolled back by the pool. Nothing here leaves session state on a pooled
    connection: session locks and LISTEN live on `Database.dedicated()` connections."""


STATEMENT_LIFETIME_S = 15


@asynccontextmanager
async def dedicated_connection(dsn: str, schema: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection of its own, closed after use, whose unqualified names are `schema`'s."""
    conn = await asyncpg.connect(
        dsn, server_settings={"search_path": f"{checked_identifier(schema)},public"}
    )
    try:
        yield conn
    finally:
        await conn.close()


class Database:
    def __init__(self, pool: asyncpg.Pool, schema: str, dsn: str) -> None:
        self.pool = pool
        self.schema = checked_identifier(schema)
        self.dsn = dsn

    @classmethod
    async def connect(
        cls,
        dsn: str,
        schema: str,
        *,
        min_size: int = 2,
        max_size: int = 10,
        create_schema: bool = True,
    ) -> Database:
        """A pool on `schema`. A service passes `create_schema=False`: its role may not
        create anything, and `crosscheck-migrate` made the schema; tests and tools that
        own their scratch schema let it be created here."""
        pool = await asyncpg.create_pool(
            dsn,
            min_size=min_size,
            max_size=max_size,
            # Unqualified names in service SQL resolve to the service's schema.
            server_settings={"search_path": f"{checked_identifier(schema)},public"},
            # PostgreSQL fixes a prepared statement's generic plan from the tables' size
            # when it is made. Made on a young schema, it scans whole tables that have
            # since grown, until an ANALYZE (a minute or more away) invalidates it:
            # PostgreSQL's CPU per command kept growing within a benchmark. Statements are
            # prepared again after this many seconds, and plan for the tables as they are.
            max_cached_statement_lifetime=STATEMENT_LIFETIME_S,
            reset=_keep_session,
        )
        db = cls(pool, schema, dsn)
        if create_schema:
            await db.execute(f"CREATE SCHEMA IF NOT EXISTS {db.schema}")
        return db

    async def close(self) -> None:
        await self.pool.close()

    def dedicated(self) -> AbstractAsyncContextManager[asyncpg.Connection]:
        """A connection outside the pool, for session state (advisory locks, LISTEN) that
        must end when the connection closes, whatever happens to its user."""
        return dedicated_connection(self.dsn, self.schema)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield conn

    async def execute(self, sql: str, *args: Any) -> str:
        async with self.pool.acquire() as conn:
            return str(await conn.execute(sql, *args))

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        async with self.pool.acquire() as conn:
            return list(await conn.fetch(sql, *args))

    async def fetchval(self, sql: str, *args: Any) -> Any:
        async with self.pool.acquire() as conn:
            return await conn.fetchval(sql, *args)

    async def ensure_scratch_tables(self, statements: Sequence[str]) -> None:
        """Tests' and benchmarks' own tables: apply idempotent DDL (CREATE ... IF NOT
        EXISTS) under an advisory lock. A service's tables come from its migration steps
        (crosscheck_platform.migrations), never from here."""
        async with self.transaction() as conn:
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", self.schema)
            for statement in statements:
                await conn.execute(statement)
