"""Every service started as its own process, as `./crosscheck up` does: it connects to the
real stack, answers health and readiness, enforces bearer tokens, and stops cleanly on
SIGTERM. A token of the issuer it was told to trust is accepted; others are not."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator

import httpx
import pytest

from crosscheck_platform.auth import Role
from crosscheck_platform.db import Database
from crosscheck_testing.auth import principal_for
from crosscheck_testing.infra import Infra
from crosscheck_testing.ports import free_port
from crosscheck_testing.processes import service_env, service_process

SERVICES = ["registry", "rotation", "hazards", "notify", "ledgers"]


@pytest.fixture(params=SERVICES)
async def service(
    request: pytest.FixtureRequest, infra: Infra, unique_name: str, database: Database
) -> AsyncIterator[tuple[str, asyncio.subprocess.Process]]:
    # `database` is the service's schema (`unique_name`): dropped once the service stops.
    port = free_port()
    env = service_env(infra, schema=unique_name, namespace=unique_name, port=port)
    module = f"crosscheck_{request.param}.main"
    async with service_process(module, env, port, stderr=asyncio.subprocess.PIPE) as running:
        yield running


async def test_service_runs_checks_tokens_and_stops_cleanly(
    service: tuple[str, asyncio.subprocess.Process], infra: Infra
) -> None:
    base, process = service
    admin = infra.issuer.token(
        principal_for(Role.TOWNSHIP_ADMIN, county="532327", township="532327101")
    )
    async with httpx.AsyncClient(base_url=base) as client:
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text

        missing = await client.get("/v1/whoami")
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"].startswith("Bearer")
        assert "error" in missing.json()

        forged = await client.get(
            "/v1/whoami", headers={"Authorization": "Bearer " + admin[:-4] + "AAAA"}
        )
        assert forged.status_code == 401

        me = await client.get("/v1/whoami", headers={"Authorization": f"Bearer {admin}"})
        assert me.status_code == 200
        assert me.json()["township"] == "532327101"
        assert me.json()["role"] == "township_admin"

    process.send_signal(signal.SIGTERM)
    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    assert await asyncio.wait_for(process.wait(), 30) in (0, -signal.SIGTERM)
    assert process.stderr is not None
    log = (await process.stderr.read()).decode()
    assert "Application shutdown complete" in log
    assert "Traceback" not in log
