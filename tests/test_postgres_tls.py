"""PostgreSQL over TLS: `deploy/stack up --pg-only --pg-tls` starts a cluster of this
module's own (its own state folder and port; the shared one is not touched) that lets in
encrypted connections only, with a server certificate of a CA the stack makes. A plain
connection is refused, a client that does not trust that CA refuses the server, and a
service whose settings are the URL the stack prints (sslmode=verify-full with the CA)
migrates its schema, serves commands and reads over it and publishes their events."""

from __future__ import annotations

import os
import re
import shutil
import ssl
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import pytest

from crosscheck_contracts.base import BoundedContext
from crosscheck_contracts.topics import Topics
from crosscheck_platform.auth import Role
from crosscheck_testing.auth import bearer
from crosscheck_testing.fixtures import new_namespace
from crosscheck_testing.infra import Infra
from crosscheck_testing.kafka_reading import read_until
from crosscheck_testing.ports import free_port
from crosscheck_testing.processes import service_env, service_process

pytestmark = pytest.mark.infra

STACK = Path(__file__).resolve().parents[1] / "deploy" / "stack"
COUNTY = "532327"


@pytest.fixture(scope="module")
def tls_url() -> Iterator[str]:
    """The database URL the stack printed for its TLS-only cluster."""
    # Not under pytest's tmp_path: as root, the server runs as the postgres user, who
    # must be able to walk into the folder.
    state = Path(tempfile.mkdtemp(prefix="crosscheck-pg-tls-"))
    state.chmod(0o755)
    env = {
        **os.environ,
        "CROSSCHECK_STACK_STATE": str(state),
        "CROSSCHECK_PG_PORT": str(free_port()),
    }
    try:
        up = subprocess.run(
            [str(STACK), "up", "--pg-only", "--pg-tls"],
            env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert up.returncode == 0, up.stdout + up.stderr
        printed = re.search(r"export CROSSCHECK_DATABASE_URL=(\S+)", up.stdout)
        assert printed is not None, up.stdout
        yield printed.group(1)
    finally:
        subprocess.run([str(STACK), "down", "--pg-only"], env=env, check=False, timeout=120)
        shutil.rmtree(state, ignore_errors=True)


async def test_plain_and_unverified_connections_are_refused(tls_url: str) -> None:
    query = parse_qs(urlsplit(tls_url).query)
    assert query["sslmode"] == ["verify-full"]
    plain = tls_url.split("?")[0] + "?sslmode=disable"
    with pytest.raises(asyncpg.InvalidAuthorizationSpecificationError, match="no encryption"):
        await asyncpg.connect(plain)
    # Another CA (the system's): the client does not trust the stack's server certificate.
    system = ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt"
    other = tls_url.split("?")[0] + f"?sslmode=verify-full&sslrootcert={system}"
    with pytest.raises(ssl.SSLCertVerificationError):
        await asyncpg.connect(other)
    conn = await asyncpg.connect(tls_url)
    try:
        assert await conn.fetchval("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
    finally:
        await conn.close()


async def test_a_service_runs_over_tls(infra: Infra, tls_url: str, tmp_path: Path) -> None:
    namespace = new_namespace()
    port = free_port()
    env = service_env(
        infra,
        schema="registry",
        namespace=namespace,
        port=port,
        CROSSCHECK_DATABASE_URL=tls_url,
        CROSSCHECK_LOG_LEVEL="WARNING",
    )
    code = COUNTY + "188"
    admin = bearer(infra.issuer, Role.TOWNSHIP_ADMIN, county=COUNTY, township=code)
    with (tmp_path / "registry.log").open("wb") as log:
        # service_process migrates the schema first, over the same URL (psycopg, verify-full).
        async with (
            service_process("crosscheck_registry.main", env, port, stdout=log, stderr=log) as (
                base,
                _,
            ),
            httpx.AsyncClient(base_url=base, headers=admin, timeout=60) as client,
        ):
            township = await client.put(
                f"/v1/townships/{code}", json={"name": "测试乡", "county_name": "永仁县"}
            )
            assert township.status_code == 201, township.text
            enrolled = await client.post(
                f"/v1/townships/{code}/staff", json={"name": "马贵涛", "unit": "综治中心"}
            )
            assert enrolled.status_code == 201, enrolled.text
            listed = await client.get(f"/v1/townships/{code}/staff")
            assert [s["name"] for s in listed.json()["items"]] == ["马贵涛"]

            conn = await asyncpg.connect(tls_url)
            try:
                sessions = await conn.fetch(
                    "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)"
                    " WHERE a.datname = 'crosscheck' AND a.pid <> pg_backend_pid()"
                )
                events = {
                    str(r["event_id"])
                    for r in await conn.fetch("SELECT event_id FROM registry.events")
                }
            finally:
                await conn.close()
            assert sessions and all(row["ssl"] for row in sessions)

    # The relay read them back over TLS and published them.
    topic = Topics(namespace).of(BoundedContext.REGISTRY)
    records = await read_until(
        infra.kafka_bootstrap, topic, lambda r: len(r) >= len(events), timeout=60
    )
    assert len(events) >= 2
    assert {dict(r.headers)["ce_id"].decode() for r in records} == events
