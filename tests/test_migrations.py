"""Versioned migrations on the real PostgreSQL: a database laid out as the services laid
it out before migrations existed (the DDL they ran at start, recorded in
migrations/legacy_ddl.json) upgrades to exactly what a fresh migration builds, without
losing a row; a failing step rolls back; a service refuses a schema that is not
migrated; the role the services run as cannot change the schema."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from crosscheck_contracts.samples import all_samples
from crosscheck_ledgers.adapters import sql as ledger_sql
from crosscheck_ledgers.adapters.generation import new_generation
from crosscheck_ledgers.domain.merge import Patches
from crosscheck_ledgers.domain.projection import Meta, project
from crosscheck_ledgers.domain.tables import ALL_TABLES
from crosscheck_platform.auth import Role
from crosscheck_platform.db import Database
from crosscheck_platform.http import ServiceSpec, service_app
from crosscheck_platform.migrations import SERVICES, SchemaNotMigrated, migrate, upgrade
from crosscheck_platform.migrations.runner import Track, tracks
from crosscheck_registry import bootstrap as registry_bootstrap
from crosscheck_testing.auth import bearer
from crosscheck_testing.infra import Infra

LEGACY: dict[str, list[str]] = json.loads(
    (Path(__file__).parent / "migrations" / "legacy_ddl.json").read_text()
)
ROWS_PER_TABLE = 3
# Tables a later step replaced and dropped: the table their rows are copied to, and
# which column of it holds each column's value (a column not named is not carried over).
MOVED = {
    "idempotency_keys": (
        "command_outcomes",
        {
            "township": "township",
            "key": "key",
            "fingerprint": "fingerprint",
            "body": "outcome",
            "created_at": "created_at",
        },
    )
}
# Columns a later step dropped because no running version reads or writes them (the
# step says why their values mean nothing any more).
DROPPED = {"notices": ("claimed_until",)}


@pytest.fixture
async def schemas(infra: Infra) -> AsyncIterator[list[str]]:
    """Names for scratch schemas, dropped afterwards."""
    names: list[str] = []
    yield names
    conn = await asyncpg.connect(infra.database_url)
    try:
        for name in names:
            await conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    finally:
        await conn.close()


def _new(schemas: list[str], prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    schemas.append(name)
    return name


async def catalogue(conn: asyncpg.Connection, schema: str, prefix: str = "") -> dict[str, Any]:
    """The schema's layout, with its name taken out: tables and their columns,
    constraints, indexes, triggers, functions."""

    def plain(text: str) -> str:
        return re.sub(rf"\b{schema}\.", "", text)

    columns = await conn.fetch(
        "SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default "
        "FROM information_schema.columns WHERE table_schema = $1 AND table_name LIKE $2 "
        "ORDER BY table_name, ordinal_position",
        schema,
        prefix + "%",
    )
    constraints = await conn.fetch(
        "SELECT c.conrelid::regclass::text AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def "
        "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
        "WHERE n.nspname = $1 ORDER BY 1, 2",
        schema,
    )
    indexes = await conn.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY 1", schema
    )
    triggers = await conn.fetch(
        "SELECT t.tgname, pg_get_triggerdef(t.oid) AS def FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = $1 AND NOT t.tgisinternal ORDER BY 1",
        schema,
    )
    functions = await conn.fetch(
        "SELECT p.proname, pg_get_functiondef(p.oid) AS def FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 ORDER BY 1",
        schema,
    )
    return {
        "columns": [tuple(plain(str(v)) for v in r.values()) for r in columns],
        "constraints": [
            (plain(r["tbl"]), r["conname"], plain(r["def"]))
            for r in constraints
            if plain(r["tbl"]).startswith(prefix)
        ],
        "indexes": [
            (r["indexname"], plain(r["indexdef"]))
            for r in indexes
            if r["indexname"].startswith(prefix)
        ],
        "triggers": [(r["tgname"], plain(r["def"])) for r in triggers] if not prefix else [],
        "functions": [(r["proname"], plain(r["def"])) for r in functions] if not prefix else [],
    }


def _value(data_type: str, udt: str, n: int) -> str:
    if data_type == "ARRAY":
        return f"ARRAY['v{n}']::{udt[1:]}[]" if udt == "_text" else "'{}'"
    return {
        "text": f"'{n}-x'",
        "integer": str(n + 1),
        "bigint": str(n + 1),
        "smallint": str(n + 1),
        "boolean": "true",
        "uuid": f"'00000000-0000-0000-0000-00000000000{n}'",
        "timestamp with time zone": f"'2026-01-0{n + 1}T00:00:00Z'",
        "date": f"'2026-01-0{n + 1}'",
        "json": "'{\"n\": 1}'",
        "jsonb": "'{\"n\": 1}'",
        "bytea": "'\\x00'::bytea",
        "double precision": "1.5",
        "numeric": "1.5",
    }[data_type]


async def fill(conn: asyncpg.Connection, schema: str) -> None:
    """A few rows in every table, each column given a value of its type (check
    constraints that allow only some values are satisfied by retrying with them)."""
    tables = [
        r["table_name"]
        for r in await conn.fetch(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1",
            schema,
        )
    ]
    for table in tables:
        columns = await conn.fetch(
            "SELECT column_name, data_type, udt_name FROM information_schema.columns "
            "WHERE table_schema = $1 AND table_name = $2 AND column_default IS NULL "
            "ORDER BY ordinal_position",
            schema,
            table,
        )
        checks = [
            r["def"]
            for r in await conn.fetch(
                "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint "
                "WHERE conrelid = $1::regclass AND contype = 'c'",
                f"{schema}.{table}",
            )
        ]
        for n in range(ROWS_PER_TABLE):
            values = []
            for column in columns:
                value = _value(column["data_type"], column["udt_name"], n)
                for check in checks:
                    # e.g. CHECK ((channel = ANY (ARRAY['webhook'::text, ...])))
                    if f"({column['column_name']} = ANY" in check or (
                        f"{column['column_name']} = '" in check
                    ):
                        allowed = re.findall(r"'([^']*)'::text", check) or re.findall(
                            r"'([^']*)'", check
                        )
                        value = f"'{allowed[n % len(allowed)]}'"
                values.append(value)
            names = ", ".join(c["column_name"] for c in columns)
            await conn.execute(
                f"INSERT INTO {schema}.{table} ({names}) VALUES ({', '.join(values)})"
            )


async def rows(
    conn: asyncpg.Connection, schema: str, columns: dict[str, list[str]] | None = None
) -> dict[str, list[str]]:
    """Every row of every table, as text, of the given columns (default: all); a step may
    add columns, never lose a value."""
    tables = await conn.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 "
        "AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'alembic_version%' ORDER BY 1",
        schema,
    )
    found = {}
    for r in tables:
        name = r["table_name"]
        if columns is not None and name not in columns:
            continue
        names = ", ".join(columns[name]) if columns is not None else "*"
        found[name] = sorted(
            str(row[0])
            for row in await conn.fetch(f"SELECT row({names})::text FROM {schema}.{name}")
        )
    return found


async def column_names(conn: asyncpg.Connection, schema: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for r in await conn.fetch(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = $1 ORDER BY table_name, ordinal_position",
        schema,
    ):
        found.setdefault(r["table_name"], []).append(r["column_name"])
    return found


@pytest.mark.parametrize("service", SERVICES)
async def test_a_database_of_before_migrations_upgrades_without_losing_a_row(
    infra: Infra, schemas: list[str], service: str
) -> None:
    legacy = _new(schemas, f"lg{service[:3]}")
    fresh = _new(schemas, f"fr{service[:3]}")
    conn = await asyncpg.connect(infra.database_url, server_settings={"search_path": legacy})
    try:
        await conn.execute(f"CREATE SCHEMA {legacy}")
        for statement in LEGACY[service]:
            await conn.execute(statement)
        await fill(conn, legacy)
        columns = await column_names(conn, legacy)
        before = await rows(conn, legacy, columns)
        assert all(len(found) == ROWS_PER_TABLE for found in before.values()), before
        kept = {
            table: [c for c in names if c not in DROPPED.get(table, ())]
            for table, names in columns.items()
            if table not in MOVED
        }
        kept_before = await rows(conn, legacy, kept)
        moved_before = {
            old: await rows(conn, legacy, {old: list(mapping)})
            for old, (_, mapping) in MOVED.items()
            if old in columns
        }

        await migrate(infra.database_url, legacy, service)
        await migrate(infra.database_url, fresh, service)

        assert await rows(conn, legacy, kept) == kept_before
        for old, found in moved_before.items():
            new, mapping = MOVED[old]
            assert await conn.fetchval("SELECT to_regclass($1)", f"{legacy}.{old}") is None
            copied = await rows(conn, legacy, {new: list(mapping.values())})
            assert copied[new] == found[old], f"{old} -> {new}"
        assert await catalogue(conn, legacy) == await catalogue(conn, fresh)
        applied = await conn.fetchval(f"SELECT version_num FROM {legacy}.alembic_version")
        assert applied is not None
    finally:
        await conn.close()


async def test_the_ledgers_steps_build_what_the_table_specs_say(
    infra: Infra, schemas: list[str]
) -> None:
    """The ledger tables are specs compiled to DDL; a spec change without its step fails
    here."""
    compiled = _new(schemas, "lgspec")
    migrated = _new(schemas, "lgmig")
    await migrate(infra.database_url, migrated, "ledgers")
    conn = await asyncpg.connect(infra.database_url, server_settings={"search_path": compiled})
    try:
        await conn.execute(f"CREATE SCHEMA {compiled}")
        for statement in ledger_sql.ddl():
            await conn.execute(statement)
        assert await catalogue(conn, migrated, "lg_") == await catalogue(conn, compiled, "lg_")
    finally:
        await conn.close()


def _steps(folder: Path, steps: dict[str, str]) -> Path:
    folder.mkdir()
    previous = None
    for revision, body in steps.items():
        (folder / f"v{revision}_drill.py").write_text(
            "from crosscheck_platform.migrations import execute\n"
            f"revision = {revision!r}\ndown_revision = {previous!r}\n\n"
            f"def upgrade() -> None:\n    execute({body!r})\n"
        )
        previous = revision
    return folder


async def test_a_failing_step_rolls_back_and_the_steps_before_it_stay(
    infra: Infra, schemas: list[str], tmp_path: Path
) -> None:
    schema = _new(schemas, "mgfail")
    drill = Track(
        "drill",
        _steps(
            tmp_path / "drill",
            {
                "0001": "CREATE TABLE drill_one (id int PRIMARY KEY)",
                "0002": "CREATE TABLE drill_two (id int); INSERT INTO drill_two VALUES (1/0)",
            },
        ),
        "alembic_version_drill",
    )
    with pytest.raises(Exception, match="division by zero"):
        upgrade(infra.database_url, schema, "rotation", extra=[drill])
    conn = await asyncpg.connect(infra.database_url)
    try:
        assert await conn.fetchval("SELECT to_regclass($1)", f"{schema}.drill_one") is not None
        assert await conn.fetchval("SELECT to_regclass($1)", f"{schema}.drill_two") is None
        assert await conn.fetchval(f"SELECT version_num FROM {schema}.alembic_version_drill") == (
            "0001"
        )
        # The service's own steps, applied before the drill, stay.
        head = tracks("rotation")[1].script().get_current_head()
        assert await conn.fetchval(f"SELECT version_num FROM {schema}.alembic_version") == head
    finally:
        await conn.close()


async def test_a_service_refuses_a_schema_that_is_not_migrated(
    infra: Infra, schemas: list[str], unique_name: str
) -> None:
    schema = _new(schemas, "mgrefuse")
    settings = infra.service_settings(unique_name, schema)
    app = service_app(ServiceSpec(name="rotation"), settings)
    with pytest.raises(SchemaNotMigrated, match="crosscheck-migrate") as refused:
        async with app.router.lifespan_context(app):
            pass
    assert f"schema {schema} is not migrated" in str(refused.value)
    # The service created nothing: not even its schema.
    conn = await asyncpg.connect(infra.database_url)
    try:
        assert not await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", schema
        )
    finally:
        await conn.close()


@pytest.fixture
async def runtime_role(infra: Infra) -> AsyncIterator[str]:
    role = f"rt_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(infra.database_url)
    await conn.execute(f"CREATE ROLE {role} LOGIN")
    try:
        yield role
    finally:
        await conn.execute(f"DROP OWNED BY {role}")
        await conn.execute(f"DROP ROLE {role}")
        await conn.close()


async def test_the_services_role_uses_rows_and_cannot_change_the_schema(
    infra: Infra, schemas: list[str], runtime_role: str, unique_name: str
) -> None:
    schema = _new(schemas, "mgrole")
    await migrate(infra.database_url, schema, "registry", runtime_role=runtime_role)
    as_runtime = make_url(infra.database_url).set(username=runtime_role)
    runtime_url = as_runtime.render_as_string(hide_password=False)

    # The registry runs as that role, and a command writes its events and read model.
    settings = infra.service_settings(unique_name, schema).model_copy(
        update={"database_url": runtime_url}
    )
    app = registry_bootstrap.build_app(settings)
    admin = bearer(infra.issuer, Role.TOWNSHIP_ADMIN, county="532327", township="532327102")
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
            created = await client.put(
                "/v1/townships/532327102",
                json={"name": "伟德乡", "county_name": "永仁县"},
                headers=admin,
            )
            assert created.status_code == 201, created.text

    db = await Database.connect(runtime_url, schema, min_size=1, max_size=1, create_schema=False)
    try:
        assert await db.fetchval("SELECT count(*) FROM events") >= 1
        assert await db.fetchval("SELECT count(*) FROM townships") == 1
        for ddl in (
            "CREATE TABLE intruder (id int)",
            "ALTER TABLE townships ADD COLUMN intruder int",
            "DROP TABLE townships",
            "CREATE INDEX intruder ON events (source)",
            f"CREATE SCHEMA {schema}_intruder",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await db.execute(ddl)
    finally:
        await db.close()


async def test_a_ledgers_rebuild_leaves_the_services_role_the_rows_of_the_new_tables(
    infra: Infra, schemas: list[str], runtime_role: str
) -> None:
    """The rebuild (run as the schema's owner, as the migration role is in production)
    makes its tables in a schema of its own and swaps them in: the services' role must
    hold the same rights on them as on the tables they replaced, and still no DDL."""
    schema = _new(schemas, "mgrebuild")
    await migrate(infra.database_url, schema, "ledgers", runtime_role=runtime_role)
    patches = Patches()
    meta = Meta("532327103", "532327", 3, datetime(2024, 4, 9, 2, 30, tzinfo=UTC))
    for event in all_samples():
        patches.add(project(event, meta))
    owner = await Database.connect(
        infra.database_url, schema, min_size=1, max_size=2, create_schema=False
    )
    try:
        async with new_generation(owner.dsn, schema) as generation:
            await generation.copy(patches)
            async with owner.transaction() as conn:
                await ledger_sql.lock(conn)
                await generation.build_keys(1)
                await generation.swap_in(conn)
    finally:
        await owner.close()

    runtime_url = (
        make_url(infra.database_url)
        .set(username=runtime_role)
        .render_as_string(hide_password=False)
    )
    db = await Database.connect(runtime_url, schema, min_size=1, max_size=1, create_schema=False)
    try:
        rows = 0
        for table in ALL_TABLES:
            rows += await db.fetchval(f"SELECT count(*) FROM {table.name}")
        assert rows == len(patches) > 0
        # The live consumer's guarded upserts, as the services' role.
        async with db.transaction() as conn:
            await ledger_sql.write(conn, patches)
        for ddl in (
            "DROP TABLE lg_hazards",
            "ALTER TABLE lg_hazards ADD COLUMN intruder int",
            f"CREATE SCHEMA {schema}_rebuild",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await db.execute(ddl)
    finally:
        await db.close()
