"""What a running service needs of the migrations: the tracks of its schema and whether
the schema has every step this code knows (`require_migrated`).

Kept apart from the runner because Alembic and SQLAlchemy, which only `crosscheck-migrate`
needs, cost every service process ~25 MiB of resident memory and a second of CPU at
start (measured, bench/RESULTS.md): a track's steps are read here as the files Alembic
reads (each step's module-level `revision` and `down_revision`), with `ast`, not imported.
"""

from __future__ import annotations

import ast
import importlib.resources
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crosscheck_platform.db import Connection as AsyncConnection

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)

SERVICES = ("registry", "rotation", "hazards", "notify", "ledgers")
PLATFORM = "platform"

_HERE = Path(__file__).resolve().parent
ENVIRONMENT = _HERE / "alembic"
PLATFORM_STEPS = _HERE / "steps"


class SchemaNotMigrated(RuntimeError):
    """The schema lacks steps this code needs: `crosscheck-migrate` has not run."""


@dataclass(frozen=True)
class Chain:
    """A track's steps as this code knows them: the last one and every one."""

    head: str | None
    known: frozenset[str]


@dataclass(frozen=True)
class Track:
    """One linear history of steps in a schema, recorded in its own version table."""

    name: str
    steps: Path
    version_table: str

    def script(self) -> ScriptDirectory:
        """Alembic's view of the steps (imports Alembic: for the runner)."""
        from alembic.script import ScriptDirectory

        return ScriptDirectory(str(ENVIRONMENT), version_locations=[str(self.steps)])

    def chain(self) -> Chain:
        return _chain(self.steps)


def _assigned(tree: ast.Module, name: str) -> Any:
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return ast.literal_eval(value)
    raise ValueError(f"no module-level {name}")


@cache
def _chain(steps: Path) -> Chain:
    """Each step file's `revision` and `down_revision` (as Alembic reads them: the
    `.py` files of the folder); the head is the one no other step follows."""
    parents: dict[str, str | None] = {}
    for path in sorted(steps.glob("*.py")):
        if path.name.startswith("_"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        try:
            revision = _assigned(tree, "revision")
        except ValueError:
            continue  # not a step
        parents[str(revision)] = _assigned(tree, "down_revision")
    followed = {p for p in parents.values() if p is not None}
    heads = sorted(set(parents) - followed)
    if len(heads) > 1:
        raise ValueError(f"{steps}: more than one last step ({', '.join(heads)})")
    return Chain(heads[0] if heads else None, frozenset(parents))


def service_steps(service: str) -> Path | None:
    """A service's own steps: the `migrations` folder of its package. None for a
    service that has no package of its own (a test's probe service): its schema has the
    platform's tables only. Each of SERVICES must have one."""
    try:
        package = importlib.resources.files(f"crosscheck_{service}")
    except ModuleNotFoundError:
        if service in SERVICES:
            raise
        return None
    return Path(str(package / "migrations"))


def tracks(service: str | None, *, extra: Sequence[Track] = ()) -> list[Track]:
    """The platform's track, then the service's (none for a platform-only schema)."""
    found = [Track(PLATFORM, PLATFORM_STEPS, "alembic_version_platform")]
    steps = None if service is None else service_steps(service)
    if service is not None and steps is not None:
        found.append(Track(service, steps, "alembic_version"))
    return [*found, *extra]


async def missing_steps(conn: AsyncConnection, schema: str, service: str | None) -> list[str]:
    """Why `schema` is behind this code, one line per track; empty when it has every
    step this code knows. A schema ahead of the code (a newer version migrated it, and
    this replica is an old one still running) is not behind: steps only add."""
    problems = []
    for track in tracks(service):
        chain = track.chain()
        head = chain.head
        exists = await conn.fetchval(
            "SELECT to_regclass($1) IS NOT NULL", f"{schema}.{track.version_table}"
        )
        current: Any = (
            await conn.fetchval(f"SELECT version_num FROM {schema}.{track.version_table}")
            if exists
            else None
        )
        if current == head:
            continue
        if current is None:
            problems.append(f"{track.name} steps: none applied (the last is {head})")
            continue
        if current not in chain.known:
            log.warning(
                "schema %s is at %s step %s, newer than this code knows (%s)",
                schema,
                track.name,
                current,
                head,
            )
            continue
        problems.append(f"{track.name} steps: at {current}, the last is {head}")
    return problems


async def require_migrated(conn: AsyncConnection, schema: str, service: str | None) -> None:
    """Refuse (SchemaNotMigrated, logged as one critical line) a schema without every
    step this code needs."""
    problems = await missing_steps(conn, schema, service)
    if problems:
        message = (
            f"schema {schema} is not migrated ({'; '.join(problems)}): run "
            f"`crosscheck-migrate` (the deployment's migration Job) before starting "
            f"{service or 'this service'}"
        )
        log.critical(message)
        raise SchemaNotMigrated(message)
