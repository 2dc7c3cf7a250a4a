"""Versioned schema migrations (Alembic, plain SQL), one history per schema and track.

Every service's schema has two tracks, each a linear chain of steps with its own version
table: the platform's (`steps/`: event store, outbox, consumer tracking; version table
`alembic_version_platform`) and the service's own (`crosscheck_<service>/migrations/`;
`alembic_version`). `crosscheck-migrate` applies the platform's steps, then the
service's; services never change their schema at start, they only check that it has
every step they know (`require_migrated`) and refuse to start otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crosscheck_platform.migrations.check import SERVICES, SchemaNotMigrated, require_migrated

if TYPE_CHECKING:
    from crosscheck_platform.migrations.runner import execute, migrate, upgrade

__all__ = [
    "SERVICES",
    "SchemaNotMigrated",
    "execute",
    "migrate",
    "require_migrated",
    "upgrade",
]

_RUNNER = frozenset({"execute", "migrate", "upgrade"})


def __getattr__(name: str) -> Any:
    """The runner's names, imported on first use: a running service only checks its
    schema (`require_migrated`) and never loads Alembic or SQLAlchemy."""
    if name in _RUNNER:
        from crosscheck_platform.migrations import runner

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
