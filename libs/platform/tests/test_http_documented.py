"""Every route's OpenAPI description names every status it can answer, with the error
model the handlers really send."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter
from pydantic import BaseModel

from crosscheck_platform.http import create_app
from crosscheck_platform.http.documented import ErrorBody
from crosscheck_platform.settings import ServiceSettings

SETTINGS = ServiceSettings(environment="test", oidc_issuer="http://issuer.invalid/realms/x")


class Site(BaseModel):
    site_id: str
    name: str


def _router() -> APIRouter:
    router = APIRouter()

    @router.get("/v1/sites/{site_id}", responses={404: {"description": "No such place."}})
    async def site(site_id: str) -> Site:
        return Site(site_id=site_id, name="小卖部")

    @router.post("/v1/sites", status_code=201)
    async def register(body: Site) -> Site:
        return body

    return router


def _document() -> dict[str, Any]:
    return create_app(service="test", settings=SETTINGS, routers=[_router()]).openapi()


def test_each_operation_lists_the_errors_it_can_answer() -> None:
    paths = _document()["paths"]
    read = paths["/v1/sites/{site_id}"]["get"]["responses"]
    command = paths["/v1/sites"]["post"]["responses"]
    assert sorted(read) == ["200", "401", "403", "404", "422", "429", "503"]
    assert sorted(command) == ["201", "401", "403", "409", "422", "429", "503"]
    assert read["404"]["description"] == "No such place."  # declared by the route: kept
    ref = command["422"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/ErrorBody"
    assert "Retry-After" in command["503"]["headers"]
    assert sorted(paths["/healthz"]["get"]["responses"]) == ["200"]


def test_fastapis_own_validation_shape_is_not_advertised() -> None:
    document = _document()
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert {"ErrorBody", "ErrorDetail"} <= set(schemas)


async def test_a_real_error_answer_has_the_documented_shape() -> None:
    app = create_app(service="test", settings=SETTINGS, routers=[_router()])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.post("/v1/sites", json={"site_id": 1})
    assert answer.status_code == 422
    assert ErrorBody.model_validate(answer.json()).error.code
