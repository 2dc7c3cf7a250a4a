"""The registry service on the real stack: its own schema and topic namespace per test,
driven over HTTP in-process (lifespan started, ASGI transport)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from crosscheck_platform.auth import Role
from crosscheck_platform.db import Database
from crosscheck_platform.http.runtime import ServiceRuntime
from crosscheck_platform.settings import ServiceSettings
from crosscheck_registry import bootstrap
from crosscheck_scenarios.registry import Scenario, reference_scenario
from crosscheck_testing.auth import bearer
from crosscheck_testing.infra import Infra
from crosscheck_testing.issuer import LocalIssuer
from crosscheck_testing.schema import migrated

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Registry:
    app: FastAPI
    client: httpx.AsyncClient
    settings: ServiceSettings
    db: Database
    issuer: LocalIssuer

    @property
    def runtime(self) -> ServiceRuntime:
        runtime: ServiceRuntime = self.app.state.runtime
        return runtime

    def token(
        self,
        role: Role = Role.TOWNSHIP_ADMIN,
        township: str | None = "532327102",
        county: str = "532327",
    ) -> dict[str, str]:
        return bearer(
            self.issuer, role, county=county, township=township, village_id="532327102201"
        )

    async def setup_township(self, scenario: Scenario, *, villages: bool = True) -> None:
        admin = self.token(township=scenario.township_code, county=scenario.county_code)
        response = await self.client.put(
            f"/v1/townships/{scenario.township_code}",
            json={"name": scenario.township_name, "county_name": scenario.county_name},
            headers=admin,
        )
        assert response.status_code == 201, response.text
        if villages:
            for name, code in scenario.villages:
                response = await self.client.post(
                    f"/v1/townships/{scenario.township_code}/villages",
                    json={"code": code, "name": name},
                    headers=admin,
                )
                assert response.status_code == 201, response.text

    async def upload(
        self,
        township: str,
        data: bytes,
        *,
        content_type: str = XLSX,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> httpx.Response:
        return await self.client.post(
            f"/v1/townships/{township}/import",
            content=data,
            params={k: str(v).lower() for k, v in params.items()},
            headers={"Content-Type": content_type, **(headers or self.token(township=township))},
        )

    async def event_count(self) -> int:
        return int(await self.db.fetchval("SELECT count(*) FROM events"))


@pytest.fixture
async def registry(infra: Infra, database: Database, unique_name: str) -> AsyncIterator[Registry]:
    settings = infra.service_settings(unique_name, database.schema)
    await migrated(database, "registry")
    app = bootstrap.build_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
            yield Registry(app, client, settings, database, infra.issuer)


@pytest.fixture
def scenario() -> Scenario:
    return reference_scenario()
