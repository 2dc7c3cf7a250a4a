"""What used to reach PostgreSQL and fail there as a 500 is now a 422 naming the field,
on each service on the real stack: NUL characters in path, query and body values, lone
surrogates, paging offsets past bigint (from outside testing and the OpenAPI fuzz), and
times at the ends of the calendar whose offset leaves no UTC equivalent.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from crosscheck_contracts.topics import Topics
from crosscheck_hazards.app.services import HazardsSettings
from crosscheck_platform.auth import Role
from crosscheck_platform.db import Database
from crosscheck_platform.kafka import ensure_topics
from crosscheck_testing.auth import bearer
from crosscheck_testing.fixtures import TEST_PARTITIONS, new_namespace
from crosscheck_testing.infra import Infra
from crosscheck_testing.issuer import LocalIssuer
from crosscheck_testing.schema import migrate_schema

pytestmark = pytest.mark.infra

# Tokens of this module's own issuer (some are made before any fixture runs).
ISSUER = LocalIssuer()
COUNTY, T = "532327", "532327101"
HUGE = str(2**64)

# service, method, path, JSON body, (location, field) named in the answer
CASES: list[tuple[str, str, str, Any, tuple[str, str]]] = [
    ("registry", "PUT", f"/v1/townships/{T}", {"name": "维\x00", "county_name": "永仁县"},
     ("body", "name")),
    ("registry", "POST", f"/v1/townships/{T}/staff", {"name": "o9|\x00", "unit": "应急办"},
     ("body", "name")),
    ("registry", "POST", f"/v1/townships/{T}/sites",
     {"name": "饭店", "village_id": "v\x00", "site_type": "小餐饮", "address": "大庄村",
      "responsible_name": "王"}, ("body", "village_id")),
    ("registry", "GET", f"/v1/townships/{T}/sites/a%00b", None, ("path", "site_id")),
    ("registry", "GET", f"/v1/townships/{T}/staff/a%00b", None, ("path", "staff_id")),
    ("registry", "GET", f"/v1/townships/{T}/sites?q=%00", None, ("query", "q")),
    ("registry", "GET", f"/v1/townships/{T}/staff?home_village_id=%00", None,
     ("query", "home_village_id")),
    ("registry", "GET", f"/v1/townships/{T}/sites?offset={HUGE}", None, ("query", "offset")),
    ("registry", "GET", f"/v1/townships/{T}/staff?offset={HUGE}", None, ("query", "offset")),
    ("rotation", "POST", f"/v1/townships/{T}/campaigns/c-1/replan", {"reason": "\x00"},
     ("body", "reason")),
    ("hazards", "GET", "/v1/hazards/h%00", None, ("path", "hazard_id")),
    ("hazards", "GET", "/v1/inspections/i%00", None, ("path", "inspection_id")),
    ("hazards", "GET", "/v1/inspections/i%00/notice", None, ("path", "inspection_id")),
    ("hazards", "GET", "/v1/evidence/e%00", None, ("path", "evidence_id")),
    ("hazards", "POST", "/v1/checklists/items",
     {"key": "fire-1", "category": "fire_safety", "site_types": ["small_shop"], "check": "查\x00",
      "check_en": "check", "hazard": "隐患", "action": "整改"}, ("body", "check")),
    ("hazards", "POST", "/v1/hazards/h-1/escalate", {"level": "county", "reason": "\ud800"},
     ("body", "reason")),
    ("notify", "PUT", f"/v1/townships/{T}/contacts/responsible_person/s%00",
     {"channel": "email", "address": "a@example.org"}, ("path", "ref")),
    ("notify", "GET", f"/v1/townships/{T}/notices?hazard_id=%00", None, ("query", "hazard_id")),
    ("notify", "GET", f"/v1/townships/{T}/notices?offset={HUGE}", None, ("query", "offset")),
    ("ledgers", "GET", "/v1/ledgers/base?village_id=%00", None, ("query", "village_id")),
    ("ledgers", "GET", "/v1/ledgers/hazards?campaign_id=%00", None, ("query", "campaign_id")),
    ("ledgers", "GET", "/v1/figures?campaign_id=%00", None, ("query", "campaign_id")),
    ("ledgers", "GET", f"/v1/ledgers/base?offset={HUGE}", None, ("query", "offset")),
    ("ledgers", "GET", f"/v1/ledgers/hazards?offset={HUGE}", None, ("query", "offset")),
    ("ledgers", "GET", f"/v1/ledgers/responsibility?offset={HUGE}", None, ("query", "offset")),
    ("ledgers", "GET", "/v1/figures?as_of=0001-01-01T00:00:00%2B05:00", None, ("query", "as_of")),
    ("ledgers", "GET", "/v1/ledgers/hazards?as_of=9999-12-31T23:59:00-05:00", None,
     ("query", "as_of")),
]  # fmt: skip


@pytest.fixture(scope="module")
async def clients(
    infra: Infra, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    namespace = new_namespace("un")
    await ensure_topics(infra.kafka_bootstrap, Topics(namespace).all, partitions=TEST_PARTITIONS)
    evidence: Path = tmp_path_factory.mktemp("evidence")
    services = sorted({case[0] for case in CASES})
    try:
        async with AsyncExitStack() as stack:
            clients: dict[str, httpx.AsyncClient] = {}
            for name in services:
                settings = infra.service_settings(namespace, f"{namespace}_{name}").model_copy(
                    update={"oidc_issuer": ISSUER.url}
                )
                await migrate_schema(infra, f"{namespace}_{name}", name)
                build = importlib.import_module(f"crosscheck_{name}.bootstrap").build_app
                extra = (
                    {"hazards": HazardsSettings(evidence_dir=evidence)} if name == "hazards" else {}
                )
                app = build(settings, **extra)
                await stack.enter_async_context(app.router.lifespan_context(app))
                transport = httpx.ASGITransport(app=app)
                clients[name] = await stack.enter_async_context(
                    httpx.AsyncClient(transport=transport, base_url=f"http://{name}")
                )
            yield clients
    finally:
        cleanup = await Database.connect(infra.database_url, namespace, min_size=1, max_size=1)
        for name in services:
            await cleanup.execute(f"DROP SCHEMA IF EXISTS {namespace}_{name} CASCADE")
        await cleanup.close()


@pytest.mark.parametrize(
    ("service", "method", "path", "body", "named"),
    CASES,
    ids=[f"{c[0]} {c[1]} {c[2]} {c[4][1]}" for c in CASES],
)
async def test_unstorable_input_is_422_naming_the_field(
    clients: dict[str, httpx.AsyncClient],
    service: str,
    method: str,
    path: str,
    body: Any,
    named: tuple[str, str],
) -> None:
    admin = bearer(ISSUER, Role.TOWNSHIP_ADMIN, county=COUNTY, township=T, staff_id="s-1")
    # Spelled as most JSON clients do: NUL and a lone surrogate as \u0000 and \ud800.
    content = None if body is None else json.dumps(body)
    headers = {**admin, "Content-Type": "application/json"}
    response = await clients[service].request(method, path, content=content, headers=headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert named in {(f["location"], f["field"]) for f in error["detail"]["fields"]}
