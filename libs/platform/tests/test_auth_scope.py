"""Authentication and the tenancy dependencies through HTTP: a township's people see
their township; county viewers see the county and change nothing. The rules themselves
are checked as pure functions in test_tenancy_rules."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends

from crosscheck_platform.auth import Principal, Role
from crosscheck_platform.auth.deps import require_roles
from crosscheck_platform.http import create_app
from crosscheck_platform.settings import ServiceSettings
from crosscheck_platform.tenancy.deps import TownshipScope, township_records
from crosscheck_testing.issuer import LocalIssuer
from crosscheck_testing.tenancy import assert_out_of_scope

# One issuer for the module: the parametrised tokens below are made at collection time.
ISSUER = LocalIssuer()
IMPOSTOR = LocalIssuer()
COUNTY = "532327"
TOWNSHIP_A, TOWNSHIP_B = "532327101", "532327102"

ADMIN_A = Principal(
    subject="a", name="甲", role=Role.TOWNSHIP_ADMIN, county=COUNTY, township=TOWNSHIP_A
)
INSPECTOR_A = Principal(
    subject="i", name="乙", role=Role.INSPECTOR, county=COUNTY, township=TOWNSHIP_A
)
VIEWER = Principal(subject="v", name="丙", role=Role.COUNTY_VIEWER, county=COUNTY)
OTHER_VIEWER = Principal(subject="o", name="丁", role=Role.COUNTY_VIEWER, county="530000")

Admin = Annotated[Principal, Depends(require_roles(Role.TOWNSHIP_ADMIN))]
Reader = Annotated[TownshipScope, Depends(township_records())]
Writer = Annotated[TownshipScope, Depends(township_records(write=True))]


def _router() -> APIRouter:
    router = APIRouter()

    @router.get("/townships/{code}/sites")
    async def list_sites(scope: Reader) -> list[str]:
        return [scope.tenant.county]

    @router.post("/townships/{code}/sites")
    async def add_site(scope: Writer) -> str:
        return "added"

    @router.post("/campaigns")
    async def launch_campaign(principal: Admin) -> str:
        return principal.subject

    return router


@pytest.fixture(scope="module", autouse=True)
def _issuers() -> Iterator[None]:
    yield
    ISSUER.close()
    IMPOSTOR.close()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    settings = ServiceSettings(environment="test", oidc_issuer=ISSUER.url)
    app = create_app(service="test", settings=settings, routers=[_router()])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def _auth(principal: Principal, **headers: str) -> dict[str, str]:
    return {**ISSUER.bearer(principal), **headers}


async def test_no_token_is_401_with_a_bearer_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/townships/{TOWNSHIP_A}/sites")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthorized"
    assert "登录" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer " + IMPOSTOR.token(ADMIN_A, issuer=ISSUER.url),
        "Bearer " + ISSUER.token(ADMIN_A, issuer="https://elsewhere.example/realm"),
        "Bearer garbage",
        "Basic dXNlcjpwYXNz",
    ],
    ids=["wrong-key", "wrong-issuer", "garbage", "basic-auth"],
)
async def test_untrusted_tokens_are_401(client: httpx.AsyncClient, authorization: str) -> None:
    response = await client.get(
        f"/townships/{TOWNSHIP_A}/sites", headers={"Authorization": authorization}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_an_expired_token_is_401_saying_so(client: httpx.AsyncClient) -> None:
    token = ISSUER.token(ADMIN_A, timedelta(hours=1), now=datetime.now(UTC) - timedelta(hours=2))
    response = await client.get(
        f"/townships/{TOWNSHIP_A}/sites",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


async def test_township_a_cannot_read_township_b(client: httpx.AsyncClient) -> None:
    assert (
        await client.get(f"/townships/{TOWNSHIP_A}/sites", headers=_auth(ADMIN_A))
    ).status_code == 200
    assert_out_of_scope(await client.get(f"/townships/{TOWNSHIP_B}/sites", headers=_auth(ADMIN_A)))
    assert_out_of_scope(await client.post(f"/townships/{TOWNSHIP_B}/sites", headers=_auth(ADMIN_A)))


async def test_county_viewer_reads_every_township_but_writes_none(
    client: httpx.AsyncClient,
) -> None:
    for township in (TOWNSHIP_A, TOWNSHIP_B):
        read = await client.get(f"/townships/{township}/sites", headers=_auth(VIEWER))
        assert read.json() == [COUNTY]
        write = await client.post(f"/townships/{township}/sites", headers=_auth(VIEWER))
        assert write.status_code == 403
        assert write.json()["error"]["code"] == "read_only"
        assert "查看" in write.json()["error"]["message"]


async def test_county_viewer_sees_nothing_of_another_county(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/townships/{TOWNSHIP_A}/sites", headers=_auth(OTHER_VIEWER))
    assert_out_of_scope(response)


async def test_the_wrong_role_is_403(client: httpx.AsyncClient) -> None:
    assert (await client.post("/campaigns", headers=_auth(ADMIN_A))).text == '"a"'
    response = await client.post(
        "/campaigns", headers=_auth(INSPECTOR_A, **{"Accept-Language": "en"})
    )
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Your role is not allowed to do this."
