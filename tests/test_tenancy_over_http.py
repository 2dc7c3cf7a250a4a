"""Every GET route of every service, walked from each app's OpenAPI document, as callers
out of scope: another township's admin, another county's viewer and the committee of
another village. Each is refused with the same 403 `out_of_scope`; with ids nobody holds,
a route naming its township still answers 403 and one addressed by id alone 404. The
township's own admin reads every route with the same ids (200), so the refusals are
about scope, not about ids that lead nowhere.

A new GET route is walked without touching this test; one with a path parameter the
walk has no value for fails it until a value is given below.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from crosscheck_contracts.events.registry import SiteType
from crosscheck_contracts.topics import Topics
from crosscheck_hazards import bootstrap as hazards
from crosscheck_hazards.adapters.blobs import LocalFolderBlobStore
from crosscheck_hazards.adapters.checklist_data import standard_library
from crosscheck_hazards.app.services import HazardsSettings
from crosscheck_ledgers import bootstrap as ledgers
from crosscheck_notify import bootstrap as notify
from crosscheck_notify.settings import NotifySettings
from crosscheck_platform.auth import Role
from crosscheck_platform.db import Database
from crosscheck_platform.kafka import ensure_topics
from crosscheck_registry import bootstrap as registry
from crosscheck_rotation import bootstrap as rotation
from crosscheck_testing.auth import bearer
from crosscheck_testing.fixtures import new_namespace
from crosscheck_testing.infra import Infra
from crosscheck_testing.issuer import LocalIssuer
from crosscheck_testing.logins import forget_logins
from crosscheck_testing.schema import migrate_schema
from crosscheck_testing.tenancy import assert_out_of_scope

pytestmark = pytest.mark.infra

# The module's own issuer: tokens for the parametrised principals are made at import.
ISSUER = LocalIssuer()
COUNTY, TOWNSHIP = "532327", "532327101"
VILLAGE_A, VILLAGE_B = "532327101201", "532327101202"
PHOTO = b"\x89PNG\r\n\x1a\n" + b"walk-photo" * 40

# Routes that name no tenant: they answer about the caller itself or its own township.
UNADDRESSED = {
    "/healthz",
    "/readyz",
    "/v1/whoami",
    "/v1/townships",  # the caller's own townships
    "/v1/checklists/{site_type}",  # the caller's own township's checklist
    "/v1/presence-rule",  # the caller's own township's presence rule
    # Login-free by design: the unguessable, revocable token is the access; no tenant,
    # no personal data (test_notice_document_over_http.py).
    "/public/notices/{token}",
}
# What a village committee reads of its township: its record, and its own village in
# the village list.
COMMITTEE_VIEWS = {"/v1/townships/{code}", "/v1/townships/{code}/villages"}
# A county's own records (county campaigns): its county roles read them; township and
# village roles, even of the county, are out of scope.
COUNTY_RECORDS = "/v1/counties/{county}/"
UNKNOWN_IDS = {
    "site_id": "site-none",
    "staff_id": "staff-none",
    "campaign_id": "c-none",
    "hazard_id": "h-none",
    "inspection_id": "i-none",
    "evidence_id": "ev-" + "0" * 40,
}


@dataclass
class Stack:
    apps: dict[str, FastAPI]
    clients: dict[str, httpx.AsyncClient]
    ids: dict[str, str]


def headers(role: Role, **scope: Any) -> dict[str, str]:
    return bearer(ISSUER, role, **{"county": COUNTY, "township": TOWNSHIP, **scope})


def admin() -> dict[str, str]:
    """A fresh token each time: the module may run long after collection (an hour-long
    token made at import expired under a loaded full run)."""
    return headers(Role.TOWNSHIP_ADMIN)


async def _ok(call: Awaitable[httpx.Response], status: int = 200) -> Any:
    response = await call
    assert response.status_code == status, response.text
    return response.json()


async def _eventually(attempt: Callable[[], Awaitable[Any]], what: str) -> Any:
    """`attempt` until it returns something (consumers catch up), within a minute."""
    try:
        async with asyncio.timeout(60):
            while (result := await attempt()) is None:
                await asyncio.sleep(0.1)
    except TimeoutError:
        pytest.fail(f"waited a minute for {what}")
    return result


async def _inventory(client: httpx.AsyncClient) -> str:
    """A township with two villages, two places in each and four staff; the first place
    of village A."""
    base = f"/v1/townships/{TOWNSHIP}"
    await _ok(
        client.put(base, json={"name": "维的乡", "county_name": "永仁县"}, headers=admin()), 201
    )
    places: list[str] = []
    for code, name in ((VILLAGE_A, "大庄村委会"), (VILLAGE_B, "小庄村委会")):
        village = {"code": code, "name": name}
        await _ok(client.post(f"{base}/villages", json=village, headers=admin()), 201)
        for n in (1, 2):
            site = {
                "name": f"{name}小卖部{n}",
                "village_id": code,
                "site_type": "小商店",
                "address": f"{n}组",
                "responsible_name": "李四",
            }
            created = await _ok(client.post(f"{base}/sites", json=site, headers=admin()), 201)
            places.append(created["id"])
    for n in range(4):
        staff = {"name": f"干部{n}", "unit": "应急办", "is_leadership": n < 2}
        await _ok(client.post(f"{base}/staff", json=staff, headers=admin()), 201)
    return places[0]


async def _campaign(client: httpx.AsyncClient) -> str:
    base = f"/v1/townships/{TOWNSHIP}"

    async def roster_known() -> bool | None:
        counts = await _ok(client.get(f"{base}/roster", headers=admin()))
        return True if (counts["sites"], counts["staff"]) == (4, 4) else None

    await _eventually(roster_known, "the rotation to learn the roster")
    body = {
        "name": "春季互查",
        "starts_on": "2025-03-01",
        "ends_on": "2025-04-30",
        "rounds": 1,
        "groups": 2,
        "seed": 3,
    }
    launched = await _ok(client.post(f"{base}/campaigns", json=body, headers=admin()), 201)
    campaign_id: str = launched["campaign_id"]
    schedule = f"{base}/campaigns/{campaign_id}/schedule"
    await _ok(client.post(schedule, json={"seed": 4}, headers=admin()))
    return campaign_id


async def _finding(client: httpx.AsyncClient, campaign_id: str, site_id: str) -> dict[str, str]:
    """An inspection of a place in village A with one hazard, citing a photo."""
    photo = await _ok(
        client.post(
            "/v1/evidence", content=PHOTO, headers={**admin(), "Content-Type": "image/png"}
        ),
        201,
    )
    items = standard_library().checklist_for(SiteType.SMALL_SHOP).item_ids
    answers: list[dict[str, Any]] = [{"item_id": i, "passed": True} for i in items[1:]]
    answers.append({"item_id": items[0], "passed": False, "evidence_ids": [photo["evidence_id"]]})
    body = {
        "campaign_id": campaign_id,
        "round_no": 1,
        "site_id": site_id,
        "group_id": "g-1",
        "present_staff_ids": ["s-admin"],
        "answers": answers,
        "override_reason": "走查租户边界",
    }

    async def recorded() -> dict[str, Any] | None:
        response = await client.post("/v1/inspections", json=body, headers=admin())
        if response.status_code == 422:  # the place is not known here yet
            return None
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    inspection = await _eventually(recorded, "the hazards service to learn the places")
    return {
        "inspection_id": inspection["inspection_id"],
        "hazard_id": inspection["hazards"][0]["hazard_id"],
        "evidence_id": photo["evidence_id"],
    }


async def _logins(registry: httpx.AsyncClient, staff_id: str) -> None:
    """A login for the staff member and one for village A, so the admin reads both."""
    base = f"/v1/townships/{TOWNSHIP}"
    for path in (f"staff/{staff_id}", f"villages/{VILLAGE_A}"):
        body = {"username": f"walk-{secrets.token_hex(4)}"}
        await _ok(registry.put(f"{base}/{path}/login", json=body, headers=admin()))


@pytest.fixture(scope="module")
async def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    namespace = new_namespace()
    await ensure_topics(infra.kafka_bootstrap, Topics(namespace).all, partitions=3)
    evidence = Path(tmp_path_factory.mktemp("evidence"))

    def settings(name: str) -> Any:
        return infra.service_settings(namespace, f"{namespace}_{name}").model_copy(
            update={"oidc_issuer": ISSUER.url}
        )

    for name in ("registry", "rotation", "hazards", "notify", "ledgers"):
        await migrate_schema(infra, f"{namespace}_{name}", name)
    apps = {
        "registry": registry.build_app(settings("registry")),
        "rotation": rotation.build_app(settings("rotation")),
        "hazards": hazards.build_app(
            settings("hazards"),
            hazards=HazardsSettings(evidence_dir=evidence),
            blobs=LocalFolderBlobStore(evidence),
        ),
        "notify": notify.build_app(settings("notify"), NotifySettings(workers=0)),
        "ledgers": ledgers.build_app(settings("ledgers")),
    }
    try:
        async with AsyncExitStack() as running:
            clients = {}
            for name, app in apps.items():
                await running.enter_async_context(app.router.lifespan_context(app))
                transport = httpx.ASGITransport(app=app)
                clients[name] = await running.enter_async_context(
                    httpx.AsyncClient(transport=transport, base_url=f"http://{name}")
                )
            site_a = await _inventory(clients["registry"])
            campaign_id = await _campaign(clients["rotation"])
            found = await _finding(clients["hazards"], campaign_id, site_a)
            staff = await _ok(
                clients["registry"].get(f"/v1/townships/{TOWNSHIP}/staff", headers=admin())
            )
            staff_id = staff["items"][0]["id"]
            await _logins(clients["registry"], staff_id)
            ids = {
                "code": TOWNSHIP,
                "county": COUNTY,
                "site_id": site_a,
                "staff_id": staff_id,
                "village_id": VILLAGE_A,
                "campaign_id": campaign_id,
                "round_no": "1",
                **found,
            }
            yield Stack(apps, clients, ids)
    finally:
        await forget_logins(infra.identity, TOWNSHIP)
        cleanup = await Database.connect(infra.database_url, namespace, min_size=1, max_size=1)
        for name in apps:
            await cleanup.execute(f"DROP SCHEMA IF EXISTS {namespace}_{name} CASCADE")
        await cleanup.execute(f"DROP SCHEMA IF EXISTS {namespace} CASCADE")
        await cleanup.close()


@dataclass(frozen=True)
class Route:
    service: str
    template: str
    path_params: dict[str, list[str]]
    """Each path parameter and, for an enumeration, every value it takes."""
    query_params: frozenset[str]

    def requests(self, ids: dict[str, str]) -> Iterator[tuple[str, dict[str, str]]]:
        """(path, query) for each combination of enumerated path values."""
        names = sorted(self.path_params)
        choices = [self.path_params[n] or [ids[n]] for n in names]
        query = {"township": TOWNSHIP, "village_id": VILLAGE_A}
        for values in itertools.product(*choices):
            path = self.template.format(**dict(zip(names, values, strict=True)))
            yield path, {k: v for k, v in query.items() if k in self.query_params}

    @property
    def by_township(self) -> bool:
        """The request names its tenant (a township, or a county for county records)."""
        return bool({"code", "county"} & set(self.path_params)) or "township" in self.query_params

    @property
    def county_records(self) -> bool:
        return (self.template + "/").startswith(COUNTY_RECORDS)


def get_routes(stack: Stack) -> list[Route]:
    routes = []
    for service, app in stack.apps.items():
        for template, operations in app.openapi()["paths"].items():
            get = operations.get("get")
            if get is None or template in UNADDRESSED:
                continue
            params = get.get("parameters", [])
            path = {
                p["name"]: [str(v) for v in p["schema"].get("enum", [])]
                for p in params
                if p["in"] == "path"
            }
            query = frozenset(p["name"] for p in params if p["in"] == "query")
            routes.append(Route(service, template, path, query))
    return routes


async def test_every_route_is_walked(stack: Stack) -> None:
    routes = get_routes(stack)
    assert {r.service for r in routes} == set(stack.apps)
    for route in routes:
        addressed = set(route.path_params) | (route.query_params & {"township", "village_id"})
        assert addressed, f"{route.template} names no tenant: list it in UNADDRESSED"
        for name, values in route.path_params.items():
            assert values or name in stack.ids, f"{route.template}: no value for {{{name}}}"


async def test_the_townships_admin_reads_every_route(stack: Stack) -> None:
    for route in get_routes(stack):
        for path, query in route.requests(stack.ids):
            client = stack.clients[route.service]
            response = await client.get(path, params=query, headers=admin())
            if route.county_records:
                assert_out_of_scope(response)
            else:
                assert response.status_code == 200, (path, response.text[:300])


async def test_the_countys_roles_read_its_records(stack: Stack) -> None:
    """County records are the county's: its roles are let in (the township's campaign
    is no county campaign: 404, never 403)."""
    for role in (Role.COUNTY_VIEWER, Role.COUNTY_ADMIN):
        county = headers(role, township=None)
        for route in get_routes(stack):
            if not route.county_records:
                continue
            for path, query in route.requests(stack.ids):
                response = await stack.clients[route.service].get(
                    path, params=query, headers=county
                )
                assert response.status_code in (200, 404), (path, response.text[:300])
                if response.status_code == 404:
                    assert response.json()["error"]["code"] == "not_found"


OUTSIDERS = {
    "another township's admin": headers(Role.TOWNSHIP_ADMIN, township="532327102"),
    "another county's viewer": headers(Role.COUNTY_VIEWER, county="532328", township=None),
}


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
async def test_outsiders_are_refused_every_route(stack: Stack, who: str) -> None:
    for route in get_routes(stack):
        for path, query in route.requests(stack.ids):
            client = stack.clients[route.service]
            english = {**OUTSIDERS[who], "Accept-Language": "en"}
            assert_out_of_scope(await client.get(path, params=query, headers=OUTSIDERS[who]))
            assert_out_of_scope(await client.get(path, params=query, headers=english))


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
async def test_unknown_ids_are_404_unless_the_township_is_out_of_scope(
    stack: Stack, who: str
) -> None:
    unknown = {**stack.ids, **UNKNOWN_IDS}
    for route in get_routes(stack):
        if not set(route.path_params) & set(UNKNOWN_IDS):
            continue
        for path, query in route.requests(unknown):
            response = await stack.clients[route.service].get(
                path, params=query, headers=OUTSIDERS[who]
            )
            if route.by_township:
                assert_out_of_scope(response)
            else:
                assert response.status_code == 404, (path, response.text[:300])
                assert response.json()["error"]["code"] == "not_found"


async def test_another_villages_committee_reaches_nothing_of_village_a(stack: Stack) -> None:
    committee = headers(Role.VILLAGE_COMMITTEE, village_id=VILLAGE_B)
    for route in get_routes(stack):
        for path, query in route.requests(stack.ids):
            response = await stack.clients[route.service].get(path, params=query, headers=committee)
            if route.template in COMMITTEE_VIEWS:
                assert response.status_code == 200, (path, response.text[:300])
            else:
                assert_out_of_scope(response)
    villages = stack.clients["registry"].get(
        f"/v1/townships/{TOWNSHIP}/villages", headers=committee
    )
    assert [v["id"] for v in await _ok(villages)] == [VILLAGE_B]
