"""Each service's app as built by its bootstrap: auth end to end, health, its own schema
and port. No database or broker here: nothing connects until the lifespan starts."""

from __future__ import annotations

import importlib
import socket
import subprocess
import sys
from collections.abc import Iterator
from types import ModuleType

import httpx
import pytest

from crosscheck_platform.auth import Principal, Role
from crosscheck_platform.settings import ServiceSettings
from crosscheck_testing.issuer import LocalIssuer

PORTS = {"registry": 8101, "rotation": 8102, "hazards": 8103, "notify": 8104, "ledgers": 8105}


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    local = LocalIssuer()
    yield local
    local.close()


@pytest.fixture(scope="module")
def settings(issuer: LocalIssuer) -> ServiceSettings:
    return ServiceSettings(environment="test", oidc_issuer=issuer.url)


@pytest.fixture(params=sorted(PORTS))
def service(request: pytest.FixtureRequest) -> tuple[str, ModuleType]:
    name = str(request.param)
    return name, importlib.import_module(f"crosscheck_{name}.bootstrap")


def _client(bootstrap: ModuleType, settings: ServiceSettings) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=bootstrap.build_app(settings))
    return httpx.AsyncClient(transport=transport, base_url="http://service")


async def test_whoami_returns_the_callers_principal(
    service: tuple[str, ModuleType], issuer: LocalIssuer, settings: ServiceSettings
) -> None:
    _, bootstrap = service
    principal = Principal(
        subject="u-1",
        name="张伟",
        role=Role.GROUP_LEADER,
        county="532327",
        township="532327101",
        staff_id="s-4",
    )
    async with _client(bootstrap, settings) as client:
        response = await client.get("/v1/whoami", headers=issuer.bearer(principal))
        anonymous = await client.get("/v1/whoami")
    assert response.status_code == 200
    assert Principal.model_validate(response.json()) == principal
    assert anonymous.status_code == 401


async def test_alive_but_not_ready_before_start(
    service: tuple[str, ModuleType], settings: ServiceSettings
) -> None:
    _, bootstrap = service
    async with _client(bootstrap, settings) as client:
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert set(ready.json()["checks"]) == {"database", "outbox_relay"}  # Kafka: a metric


def test_schema_and_port_defaults(
    service: tuple[str, ModuleType], settings: ServiceSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, bootstrap = service
    monkeypatch.delenv("CROSSCHECK_HTTP_PORT", raising=False)
    monkeypatch.delenv("CROSSCHECK_DB_SCHEMA", raising=False)
    assert bootstrap.settings_from_env().http_port == PORTS[name]
    assert bootstrap.build_app(settings).state.runtime.schema == name
    per_test = settings.model_copy(update={"db_schema": f"t_{name}_1"})
    assert bootstrap.build_app(per_test).state.runtime.schema == f"t_{name}_1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_service_without_an_issuer_refuses_to_start(service: tuple[str, ModuleType]) -> None:
    name, _ = service
    # Only what the process needs: no CROSSCHECK_OIDC_ISSUER from the caller's environment.
    env = {"PATH": "/usr/bin:/bin", "CROSSCHECK_HTTP_PORT": str(_free_port())}
    finished = subprocess.run(
        [sys.executable, "-c", f"from crosscheck_{name}.main import main; main()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode != 0
    assert "CROSSCHECK_OIDC_ISSUER is not set" in finished.stderr
    assert "Traceback" not in finished.stderr
