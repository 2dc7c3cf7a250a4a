"""Each service's app as built by its bootstrap: auth end to end, health, its own schema
and port. No database or broker here: nothing connects until the lifespan starts."""

from __future__ import annotations

import importlib
from datetime import timedelta
from types import ModuleType

import httpx
import pytest

from crosscheck_platform.auth import Principal, Role, mint_token
from crosscheck_platform.settings import ServiceSettings

SETTINGS = ServiceSettings(environment="test", jwt_secret="bootstrap-secret-0123456789-0123456789")
PORTS = {"registry": 8101, "rotation": 8102, "hazards": 8103, "notify": 8104, "ledgers": 8105}


@pytest.fixture(params=sorted(PORTS))
def service(request: pytest.FixtureRequest) -> tuple[str, ModuleType]:
    name = str(request.param)
    return name, importlib.import_module(f"crosscheck_{name}.bootstrap")


def _client(bootstrap: ModuleType) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=bootstrap.build_app(SETTINGS))
    return httpx.AsyncClient(transport=transport, base_url="http://service")


async def test_whoami_returns_the_callers_principal(service: tuple[str, ModuleType]) -> None:
    _, bootstrap = service
    principal = Principal(
        subject="u-1",
        name="张伟",
        role=Role.GROUP_LEADER,
        county="532327",
        township="532327101",
        staff_id="s-4",
    )
    token = mint_token(SETTINGS, principal, timedelta(minutes=5))
    async with _client(bootstrap) as client:
        response = await client.get("/v1/whoami", headers={"Authorization": f"Bearer {token}"})
        anonymous = await client.get("/v1/whoami")
    assert response.status_code == 200
    assert Principal.model_validate(response.json()) == principal
    assert anonymous.status_code == 401


async def test_alive_but_not_ready_before_start(service: tuple[str, ModuleType]) -> None:
    _, bootstrap = service
    async with _client(bootstrap) as client:
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert {"database", "kafka", "outbox_relay"} <= set(ready.json()["checks"])


def test_schema_and_port_defaults(
    service: tuple[str, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    name, bootstrap = service
    monkeypatch.delenv("CROSSCHECK_HTTP_PORT", raising=False)
    monkeypatch.delenv("CROSSCHECK_DB_SCHEMA", raising=False)
    assert bootstrap.settings_from_env().http_port == PORTS[name]
    assert bootstrap.build_app(SETTINGS).state.runtime.schema == name
    per_test = SETTINGS.model_copy(update={"db_schema": f"t_{name}_1"})
    assert bootstrap.build_app(per_test).state.runtime.schema == f"t_{name}_1"
