"""Applying and checking the migration steps of one schema (see the package's doc)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from alembic import command, op
from alembic.config import Config
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from crosscheck_platform.db import checked_identifier
from crosscheck_platform.migrations.check import (
    ENVIRONMENT,
    PLATFORM,
    PLATFORM_STEPS,
    SERVICES,
    SchemaNotMigrated,
    Track,
    missing_steps,
    require_migrated,
    service_steps,
    tracks,
)

__all__ = [
    "ENVIRONMENT",
    "PLATFORM",
    "PLATFORM_STEPS",
    "SERVICES",
    "Applied",
    "SchemaNotMigrated",
    "Track",
    "execute",
    "migrate",
    "missing_steps",
    "require_migrated",
    "service_steps",
    "tracks",
    "upgrade",
]

log = logging.getLogger(__name__)


def execute(*statements: str) -> None:
    """Inside a step: run plain SQL statements, in order, in the step's transaction.
    Given to the driver as written (no bind parameters are parsed), so `%`, `:` and
    `$$` bodies need no escaping."""
    driver = op.get_bind().connection.driver_connection
    assert driver is not None
    for statement in statements:
        driver.execute(statement)


def _sync_url(dsn: str) -> str:
    url = make_url(dsn)
    return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


@contextmanager
def _connection(dsn: str, schema: str) -> Iterator[Connection]:
    engine = create_engine(
        _sync_url(dsn),
        poolclass=NullPool,
        connect_args={"options": f"-c search_path={schema},public"},
    )
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _current(conn: Connection, schema: str, track: Track) -> str | None:
    exists = conn.execute(
        text("SELECT to_regclass(:table) IS NOT NULL"),
        {"table": f"{schema}.{track.version_table}"},
    ).scalar_one()
    if not exists:
        return None
    revision = conn.execute(
        text(f"SELECT version_num FROM {schema}.{track.version_table}")
    ).scalar_one_or_none()
    return None if revision is None else str(revision)


def _grant(conn: Connection, schema: str, role: str) -> None:
    """The runtime role reads and writes the schema's rows, and nothing more: no
    CREATE on the schema, no ownership, so no DDL. Default privileges carry the grants
    to tables made later by this role (a later step, a ledgers rebuild's new tables)."""
    role = checked_identifier(role)
    for statement in (
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
    ):
        conn.execute(text(statement))


@dataclass(frozen=True)
class Applied:
    """What one run did to one track of a schema: from which step to which."""

    schema: str
    track: str
    before: str | None
    after: str | None

    def __str__(self) -> str:
        if self.before == self.after:
            return f"{self.schema}: {self.track} up to date at {self.after}"
        return f"{self.schema}: {self.track} {self.before or 'empty'} -> {self.after}"


def upgrade(
    dsn: str,
    schema: str,
    service: str | None,
    *,
    runtime_role: str | None = None,
    extra: Sequence[Track] = (),
) -> list[Applied]:
    """Bring `schema` to the last step of each of its tracks; grant `runtime_role` the
    use of its rows. One migrator per schema at a time (an advisory lock); a step that
    fails rolls back, and raises."""
    schema = checked_identifier(schema)
    applied = []
    with _connection(dsn, schema) as conn:
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
        conn.execute(text("SELECT pg_advisory_lock(hashtext(:key))"), {"key": f"migrate {schema}"})
        conn.commit()
        try:
            for track in tracks(service, extra=extra):
                before = _current(conn, schema, track)
                conn.commit()
                config = Config()
                config.set_main_option("script_location", str(ENVIRONMENT))
                config.set_main_option("path_separator", "os")
                config.set_main_option("version_locations", str(track.steps))
                config.attributes.update(
                    connection=conn, schema=schema, version_table=track.version_table
                )
                try:
                    command.upgrade(config, "head")
                    conn.commit()
                except BaseException:
                    conn.rollback()
                    raise
                applied.append(Applied(schema, track.name, before, _current(conn, schema, track)))
                conn.commit()
            if runtime_role is not None:
                _grant(conn, schema, runtime_role)
                conn.commit()
        finally:
            conn.rollback()
            conn.execute(
                text("SELECT pg_advisory_unlock(hashtext(:key))"), {"key": f"migrate {schema}"}
            )
            conn.commit()
    return applied


async def migrate(
    dsn: str,
    schema: str,
    service: str | None,
    *,
    runtime_role: str | None = None,
    extra: Sequence[Track] = (),
) -> list[Applied]:
    """`upgrade` from async code (on a thread: Alembic is synchronous)."""
    return await asyncio.to_thread(
        upgrade, dsn, schema, service, runtime_role=runtime_role, extra=extra
    )
