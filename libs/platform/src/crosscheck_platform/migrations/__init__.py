"""Versioned schema migrations (Alembic, plain SQL), one history per schema and track.

Every service's schema has two tracks, each a linear chain of steps with its own version
table: the platform's (`steps/`: event store, outbox, consumer tracking; version table
`alembic_version_platform`) and the service's own (`crosscheck_<service>/migrations/`;
`alembic_version`). `crosscheck-migrate` applies the platform's steps, then the
service's; services never change their schema at start, they only check that it has
every step they know (`require_migrated`) and refuse to start otherwise.
"""

from __future__ import annotations

from crosscheck_platform.migrations.runner import (
    SERVICES,
    SchemaNotMigrated,
    execute,
    migrate,
    require_migrated,
    upgrade,
)

__all__ = [
    "SERVICES",
    "SchemaNotMigrated",
    "execute",
    "migrate",
    "require_migrated",
    "upgrade",
]
