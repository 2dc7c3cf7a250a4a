"""The services run as a database role that may use the rows of their schemas and change
nothing in them, as `./crosscheck up` runs them locally and the production overlay runs
them (deploy/kubernetes/production/postgres.yaml): every service starts, consumes and
serves as that role, which the migration made (`--create-runtime-role`) and granted."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from crosscheck_platform.auth import Role
from crosscheck_platform.migrations import cli as migrate_cli
from crosscheck_testing.auth import bearer
from crosscheck_testing.infra import Infra
from crosscheck_testing.ports import free_port
from crosscheck_testing.processes import service_env, service_process

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ["registry", "rotation", "hazards", "notify", "ledgers"]
# The services that consume the registry's topic, each tracking what it applied.
CONSUMERS = ["rotation", "hazards", "notify", "ledgers"]


@pytest.fixture
async def role(infra: Infra) -> AsyncIterator[str]:
    """A role name not taken yet; the role and its grants are gone afterwards."""
    name = f"rt_{uuid.uuid4().hex[:10]}"
    yield name
    conn = await asyncpg.connect(infra.database_url)
    try:
        if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", name):
            await conn.execute(f"DROP OWNED BY {name}")
            await conn.execute(f"DROP ROLE {name}")
    finally:
        await conn.close()


def migrate_as_the_stack_does(infra: Infra, service: str, schema: str, role: str) -> None:
    """`crosscheck-migrate` with the options `./crosscheck up` gives it."""
    environment = {"CROSSCHECK_DATABASE_URL": infra.database_url}
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    try:
        assert (
            migrate_cli.main(
                [service, "--schema", schema, "--runtime-role", role, "--create-runtime-role"]
            )
            == 0
        )
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


async def test_every_service_runs_as_the_role_without_ddl(
    infra: Infra, unique_name: str, role: str
) -> None:
    schemas = {service: f"{unique_name}_{service}" for service in SERVICES}
    for service, schema in schemas.items():
        await asyncio.to_thread(migrate_as_the_stack_does, infra, service, schema, role)
    conn = await asyncpg.connect(infra.database_url)
    try:
        made = await conn.fetchrow("SELECT * FROM pg_roles WHERE rolname = $1", role)
        assert made is not None and made["rolcanlogin"]
        assert not any(made[a] for a in ("rolsuper", "rolcreatedb", "rolcreaterole", "rolinherit"))
        as_role = make_url(infra.database_url).set(username=role)
        runtime_url = as_role.render_as_string(hide_password=False)
        async with AsyncExitStack() as running:
            ports = {}
            for service, schema in schemas.items():
                ports[service] = port = free_port()
                env = service_env(
                    infra,
                    schema=schema,
                    namespace=unique_name,
                    port=port,
                    CROSSCHECK_DATABASE_URL=runtime_url,
                    CROSSCHECK_LOG_LEVEL="WARNING",
                )
                await running.enter_async_context(
                    service_process(f"crosscheck_{service}.main", env, port, migrate=False)
                )
            # A command on the registry, as the role; the consumers apply its event.
            admin = bearer(infra.issuer, Role.TOWNSHIP_ADMIN, county="532327", township="532327102")
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports['registry']}") as c:
                created = await c.put(
                    "/v1/townships/532327102",
                    json={"name": "伟德乡", "county_name": "永仁县"},
                    headers=admin,
                )
                assert created.status_code == 201, created.text
            async with asyncio.timeout(120):
                for service in CONSUMERS:
                    schema = schemas[service]
                    while not await conn.fetchval(
                        f"SELECT (SELECT count(*) FROM {schema}.processed_events) + "
                        f"(SELECT coalesce(sum(next_offset), 0) FROM {schema}.consumer_positions)"
                    ):
                        await asyncio.sleep(0.2)
        # Still no DDL for the role on any of the schemas.
        runtime = await asyncpg.connect(runtime_url)
        try:
            for schema in schemas.values():
                for ddl in (
                    f"CREATE TABLE {schema}.intruder (id int)",
                    f"DROP TABLE {schema}.events",
                    f"ALTER TABLE {schema}.outbox ADD COLUMN intruder int",
                ):
                    with pytest.raises(asyncpg.InsufficientPrivilegeError):
                        await runtime.execute(ddl)
        finally:
            await runtime.close()
    finally:
        for schema in schemas.values():
            await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.close()


def test_the_local_stack_starts_the_services_as_the_runtime_role() -> None:
    """`./crosscheck up` migrates with the runtime role and starts each service with the
    stack's URL for that role (the function it uses, run on a few URLs)."""
    script = (ROOT / "crosscheck").read_text()
    assert 'crosscheck-migrate --runtime-role "$RUNTIME_ROLE" --create-runtime-role' in script
    assert "CROSSCHECK_DATABASE_URL=$(runtime_database_url)" in script
    role = next(
        line.split("=", 1)[1] for line in script.splitlines() if line.startswith("RUNTIME_ROLE=")
    )
    start = script.index("runtime_database_url() {")
    function = script[start : script.index("\n}\n", start) + 3]
    for url, expected in (
        (
            "postgresql://postgres@127.0.0.1:55432/crosscheck",
            f"postgresql://{role}@127.0.0.1:55432/crosscheck",
        ),
        ("postgresql://127.0.0.1:5/x", f"postgresql://{role}@127.0.0.1:5/x"),
        (
            "postgres://u:p@db:5432/x?sslmode=require",
            f"postgres://{role}@db:5432/x?sslmode=require",
        ),
    ):
        done = subprocess.run(
            ["bash", "-c", f"RUNTIME_ROLE={role}\n{function}runtime_database_url"],
            env={"CROSSCHECK_DATABASE_URL": url, "PATH": os.environ["PATH"]},
            capture_output=True,
            text=True,
            check=True,
        )
        assert done.stdout.strip() == expected
