"""/healthz says the process lives; /readyz says whether it can do its work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from crosscheck_platform.http import ReadinessCheck, create_app, health
from crosscheck_platform.settings import ServiceSettings


async def _ok() -> bool:
    return True


async def _down() -> bool:
    return False


async def _broken() -> bool:
    raise ConnectionRefusedError("db.internal:5432 refused")


async def _hangs() -> bool:
    await asyncio.Event().wait()
    return True


def _client(checks: dict[str, ReadinessCheck]) -> httpx.AsyncClient:
    app = create_app(
        service="test",
        settings=ServiceSettings(environment="test", oidc_issuer="http://issuer.invalid/realms/x"),
        readiness_checks=checks,
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
async def broken_client() -> AsyncIterator[httpx.AsyncClient]:
    async with _client({"database": _ok, "kafka": _down, "cache": _broken}) as client:
        yield client


async def test_healthz_needs_no_auth() -> None:
    async with _client({"database": _down}) as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_200_when_every_check_passes() -> None:
    async with _client({"database": _ok, "kafka": _ok}) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "kafka": "ok"}}


async def test_readyz_is_503_naming_the_failed_checks(broken_client: httpx.AsyncClient) -> None:
    response = await broken_client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "not_ready",
        "checks": {"database": "ok", "kafka": "failed", "cache": "failed"},
    }
    assert "db.internal" not in response.text


async def test_a_hanging_check_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "CHECK_TIMEOUT_SECONDS", 0.01)
    async with _client({"kafka": _hangs}) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"kafka": "timeout"}
