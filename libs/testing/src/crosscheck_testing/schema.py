"""Tests' schemas brought to the last migration step, as `crosscheck-migrate` brings a
deployment's: a service under test starts only on a migrated schema."""

from __future__ import annotations

from crosscheck_platform.db import Database
from crosscheck_platform.migrations import migrate, upgrade
from crosscheck_testing.infra import Infra


async def migrated(db: Database, service: str | None = None) -> Database:
    """`db`'s schema with the platform's tables, and `service`'s own if given."""
    await migrate(db.dsn, db.schema, service)
    return db


async def migrate_schema(infra: Infra, schema: str, service: str | None) -> None:
    """The schema `service` will run on, migrated (created if need be)."""
    await migrate(infra.database_url, schema, service)


def migrate_schema_now(infra: Infra, schema: str, service: str | None) -> None:
    """`migrate_schema` for synchronous fixtures."""
    upgrade(infra.database_url, schema, service)
