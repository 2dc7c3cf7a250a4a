"""Security headers on every answer (data, errors, health); the docs page's policy lets
exactly what the page loads through; production serves neither docs nor the schema."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse

from crosscheck_platform.http import create_app
from crosscheck_platform.http.security import API_POLICY, PAGE_POLICY
from crosscheck_platform.settings import ServiceSettings

# Any issuer: these apps verify no token, and need no identity provider running.
NO_ISSUER = "https://issuer.invalid/realms/test"

BASELINE = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def _router() -> APIRouter:
    router = APIRouter()

    @router.get("/things")
    async def things() -> list[int]:
        return [1, 2]

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("unexpected")

    @router.get("/cached")
    async def cached() -> JSONResponse:
        return JSONResponse([], headers={"Cache-Control": "private, max-age=60"})

    @router.get("/page")
    async def page() -> HTMLResponse:
        return HTMLResponse("<style>p{}</style>", headers={"Content-Security-Policy": PAGE_POLICY})

    return router


async def _client(settings: ServiceSettings) -> httpx.AsyncClient:
    app = create_app(service="test", settings=settings, routers=[_router()])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with await _client(
        ServiceSettings(environment="development", oidc_issuer=NO_ISSUER)
    ) as http:
        yield http


@pytest.mark.parametrize(
    ("path", "status"),
    [("/things", 200), ("/boom", 500), ("/nowhere", 404), ("/healthz", 200), ("/readyz", 200)],
)
async def test_every_answer_carries_the_headers(
    client: httpx.AsyncClient, path: str, status: int
) -> None:
    response = await client.get(path)
    assert response.status_code == status
    for name, value in BASELINE.items():
        assert response.headers[name] == value, name
    assert response.headers["content-security-policy"] == API_POLICY
    # Only production is served over TLS; HSTS elsewhere would pin developers' hosts.
    assert "strict-transport-security" not in response.headers


async def test_a_routes_own_headers_are_kept(client: httpx.AsyncClient) -> None:
    cached = await client.get("/cached")
    assert cached.headers["cache-control"] == "private, max-age=60"
    page = await client.get("/page")
    assert page.headers["content-security-policy"] == PAGE_POLICY
    assert page.headers["x-frame-options"] == "DENY"


def _sources(policy: str) -> dict[str, set[str]]:
    directives = (d.strip().split() for d in policy.split(";") if d.strip())
    return {d[0]: set(d[1:]) for d in directives}


async def test_the_docs_policy_admits_what_the_docs_page_loads(
    client: httpx.AsyncClient,
) -> None:
    docs = await client.get("/docs")
    assert docs.status_code == 200
    policy = _sources(docs.headers["content-security-policy"])
    assert policy["default-src"] == {"'none'"}
    assert policy["frame-ancestors"] == {"'none'"}
    html = docs.text
    scripts = re.findall(r'<script src="([^"]+)"', html)
    styles = re.findall(r'<link type="text/css" rel="stylesheet" href="([^"]+)"', html)
    icons = re.findall(r'<link rel="shortcut icon" href="([^"]+)"', html)
    assert scripts and styles and icons
    for urls, directive in ((scripts, "script-src"), (styles, "style-src"), (icons, "img-src")):
        for url in urls:
            parts = urlsplit(url)
            assert f"{parts.scheme}://{parts.netloc}" in policy[directive], url
    # The page starts Swagger UI inline and fetches the schema from this service.
    assert "<script>" in html and "'unsafe-inline'" in policy["script-src"]
    assert "'self'" in policy["connect-src"]
    assert (await client.get("/openapi.json")).headers["content-security-policy"] == API_POLICY


async def test_production_adds_hsts_and_serves_no_docs_nor_schema() -> None:
    production = ServiceSettings(
        environment="production", oidc_issuer="http://issuer.invalid/realms/x"
    )
    async with await _client(production) as client:
        things = await client.get("/things")
        assert things.headers["strict-transport-security"].startswith("max-age=")
        for path in ("/docs", "/redoc", "/openapi.json"):
            missing = await client.get(path)
            assert missing.status_code == 404, path
            assert "strict-transport-security" in missing.headers
