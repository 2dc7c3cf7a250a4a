"""The notify app as built by its bootstrap: auth end to end, health, its own schema.
No database or broker here: nothing connects until the lifespan starts."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from crosscheck_notify import bootstrap
from crosscheck_platform.auth import Principal, Role, mint_token
from crosscheck_platform.settings import ServiceSettings

SETTINGS = ServiceSettings(environment="test", jwt_secret="notify-secret-0123456789-0123456789")


def _client(settings: ServiceSettings = SETTINGS) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=bootstrap.build_app(settings))
    return httpx.AsyncClient(transport=transport, base_url="http://notify")


async def test_whoami_returns_the_callers_principal() -> None:
    principal = Principal(
        subject="u-1",
        name="张伟",
        role=Role.GROUP_LEADER,
        county="532327",
        township="532327101",
        staff_id="s-4",
    )
    token = mint_token(SETTINGS, principal, timedelta(minutes=5))
    async with _client() as client:
        response = await client.get("/v1/whoami", headers={"Authorization": f"Bearer {token}"})
        anonymous = await client.get("/v1/whoami")
    assert response.status_code == 200
    assert Principal.model_validate(response.json()) == principal
    assert anonymous.status_code == 401


async def test_alive_but_not_ready_before_start() -> None:
    async with _client() as client:
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert set(ready.json()["checks"]) == {"database", "kafka", "outbox_relay"}


def test_schema_and_port_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CROSSCHECK_HTTP_PORT", raising=False)
    monkeypatch.delenv("CROSSCHECK_DB_SCHEMA", raising=False)
    assert bootstrap.settings_from_env().http_port == 8104
    assert bootstrap.build_app(SETTINGS).state.runtime.schema == "notify"
    per_test = SETTINGS.model_copy(update={"db_schema": "t_notify_1"})
    assert bootstrap.build_app(per_test).state.runtime.schema == "t_notify_1"
