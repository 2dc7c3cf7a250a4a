"""A database that is away answers 503 with Retry-After, never 500, on every service.

Each service runs on the real stack; then its pool is pointed at what a PostgreSQL
restart looks like from the client: a port where nothing listens, a server that says
"the database system is starting up" (SQLSTATE 57P03), and a pool closed under it."""

from __future__ import annotations

import asyncio
import importlib
import struct
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import errors as kafka_errors

from crosscheck_platform.auth import Role
from crosscheck_platform.db import Database
from crosscheck_platform.http.runtime import ServiceRuntime
from crosscheck_platform.http.transient import RETRY_AFTER_SECONDS, is_transient
from crosscheck_testing.auth import bearer
from crosscheck_testing.fixtures import new_namespace
from crosscheck_testing.infra import Infra
from crosscheck_testing.issuer import LocalIssuer
from crosscheck_testing.ports import free_port
from crosscheck_testing.schema import migrate_schema

# Tokens of this module's own issuer (some are made before any fixture runs).
ISSUER = LocalIssuer()
COUNTY, TOWNSHIP = "532327", "532327101"
# A route of each service that reads the database on every call.
READS = {
    "registry": f"/v1/townships/{TOWNSHIP}",
    "rotation": f"/v1/townships/{TOWNSHIP}/roster",
    "hazards": "/v1/checklists/small_restaurant",
    "notify": f"/v1/townships/{TOWNSHIP}/contacts",
    "ledgers": "/v1/figures",
}


@pytest.mark.parametrize(
    "exc",
    [
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.InterfaceError("pool is closing"),
        ConnectionRefusedError(111, "Connect call failed"),
        TimeoutError(),
        kafka_errors.KafkaConnectionError(),
        kafka_errors.NotLeaderForPartitionError(),
    ],
    ids=lambda exc: type(exc).__name__,
)
def test_infrastructure_failures_are_transient(exc: Exception) -> None:
    assert is_transient(exc)


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("a bug"),
        FileNotFoundError("evidence/missing"),
        asyncpg.UniqueViolationError("duplicate key"),
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
        kafka_errors.TopicAuthorizationFailedError(),
    ],
    ids=lambda exc: type(exc).__name__,
)
def test_bugs_and_refusals_are_not(exc: Exception) -> None:
    assert not is_transient(exc)


def test_a_failure_raised_from_a_lost_connection_is_transient() -> None:
    try:
        try:
            raise ConnectionResetError(104, "Connection reset by peer")
        except ConnectionResetError as lost:
            raise RuntimeError("could not load the aggregate") from lost
    except RuntimeError as exc:
        assert is_transient(exc)


@asynccontextmanager
async def starting_up_server() -> AsyncIterator[int]:
    """A port that answers every connection as PostgreSQL does while it starts."""

    def error(code: str, message: str) -> bytes:
        fields = b"".join(
            tag + value.encode() + b"\0"
            for tag, value in ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", code), (b"M", message))
        )
        body = fields + b"\0"
        return b"E" + struct.pack("!I", len(body) + 4) + body

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                length = struct.unpack("!I", await reader.readexactly(4))[0]
                packet = await reader.readexactly(length - 4)
                if struct.unpack("!I", packet[:4])[0] == 80877103:  # SSLRequest
                    writer.write(b"N")
                    await writer.drain()
                    continue
                writer.write(error("57P03", "the database system is starting up"))
                await writer.drain()
                break
        except asyncio.IncompleteReadError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


@contextmanager
def database_swapped(runtime: ServiceRuntime, db: Database) -> Iterator[None]:
    healthy = runtime.db
    runtime.db = db
    try:
        yield
    finally:
        runtime.db = healthy


async def _pool_at(port: int) -> Database:
    dsn = f"postgresql://postgres@127.0.0.1:{port}/crosscheck"
    # min_size=0: nothing connects until a request asks, as after a restart.
    pool = await asyncpg.create_pool(dsn, min_size=0, max_size=2)
    return Database(pool, "unreachable", dsn)


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    error = response.json()["error"]
    assert error["code"] == "unavailable"
    assert error["message"] == "服务暂时不可用,请稍后重试"
    assert set(error["detail"]) == {"error_id"}


@pytest.fixture(params=sorted(READS))
async def service(
    request: pytest.FixtureRequest, infra: Infra
) -> AsyncIterator[tuple[str, httpx.AsyncClient, ServiceRuntime]]:
    name = str(request.param)
    namespace = new_namespace()
    settings = infra.service_settings(namespace, namespace).model_copy(
        update={"oidc_issuer": ISSUER.url}
    )
    await migrate_schema(infra, namespace, name)
    build: Callable[..., Any] = importlib.import_module(f"crosscheck_{name}.bootstrap").build_app
    app = build(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
                yield name, client, app.state.runtime
    finally:
        cleanup = await Database.connect(infra.database_url, namespace, min_size=1, max_size=1)
        await cleanup.execute(f"DROP SCHEMA IF EXISTS {namespace} CASCADE")
        await cleanup.close()


@pytest.mark.infra
async def test_a_database_that_is_away_answers_503_with_retry_after(
    service: tuple[str, httpx.AsyncClient, ServiceRuntime],
) -> None:
    name, client, runtime = service
    admin = bearer(ISSUER, Role.TOWNSHIP_ADMIN, county=COUNTY, township=TOWNSHIP)
    path = READS[name]
    assert (await client.get(path, headers=admin)).status_code < 500

    refused = await _pool_at(free_port())
    with database_swapped(runtime, refused):
        _assert_unavailable(await client.get(path, headers=admin))
        english = await client.get(path, headers={**admin, "Accept-Language": "en"})
        assert english.json()["error"]["message"].startswith("The service is temporarily")
    await refused.close()

    async with starting_up_server() as port:
        starting = await _pool_at(port)
        with database_swapped(runtime, starting):
            _assert_unavailable(await client.get(path, headers=admin))
        await starting.close()

    closed = await Database.connect(runtime.settings.database_url, runtime.database.schema)
    await closed.close()
    with database_swapped(runtime, closed):
        _assert_unavailable(await client.get(path, headers=admin))

    # Back on its own pool, the service answers as before.
    assert (await client.get(path, headers=admin)).status_code < 500


@pytest.mark.infra
async def test_a_command_while_the_event_store_is_away_answers_503(infra: Infra) -> None:
    """A hazards command loads its aggregate from the event store, whose pool is gone."""
    namespace = new_namespace()
    settings = infra.service_settings(namespace, namespace).model_copy(
        update={"oidc_issuer": ISSUER.url}
    )
    await migrate_schema(infra, namespace, "hazards")
    app = importlib.import_module("crosscheck_hazards.bootstrap").build_app(settings)
    inspector = bearer(ISSUER, Role.INSPECTOR, county=COUNTY, township=TOWNSHIP, staff_id="s-1")
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
                store = app.state.runtime.event_store
                body = {"told_person_name": "王建国", "signed": True}
                missing = await client.post("/v1/hazards/h-1/notify", json=body, headers=inspector)
                assert missing.status_code == 404, missing.text
                refused = await _pool_at(free_port())
                healthy, store.db = store.db, refused
                try:
                    response = await client.post(
                        "/v1/hazards/h-1/notify", json=body, headers=inspector
                    )
                finally:
                    store.db = healthy
                    await refused.close()
                _assert_unavailable(response)
    finally:
        cleanup = await Database.connect(infra.database_url, namespace, min_size=1, max_size=1)
        await cleanup.execute(f"DROP SCHEMA IF EXISTS {namespace} CASCADE")
        await cleanup.close()
