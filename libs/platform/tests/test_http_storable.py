"""Values PostgreSQL cannot store are refused with 422 naming the field, for every route
of a service, before the route (or any dependency of its own) runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from crosscheck_platform.http import create_app
from crosscheck_platform.http.params import Offset
from crosscheck_platform.settings import ServiceSettings

# Any issuer: these apps verify no token, and need no identity provider running.
NO_ISSUER = "https://issuer.invalid/realms/test"


class Note(BaseModel):
    text: str
    tags: list[str] = []
    count: int = 0
    weight: float = 0.0
    extra: dict[str, Any] = {}


reached: list[str] = []


async def _looks_up_the_database(site_id: str) -> str:
    """Stands for a scope dependency that queries with a path value."""
    reached.append(site_id)
    return site_id


def _router() -> APIRouter:
    router = APIRouter()

    @router.get("/sites/{site_id}")
    async def read(
        site: Annotated[str, Depends(_looks_up_the_database)], q: str | None = None
    ) -> dict[str, str | None]:
        return {"site": site, "q": q}

    @router.post("/sites/{site_id}/notes")
    async def note(site_id: str, body: Note) -> dict[str, Any]:
        return body.model_dump()

    @router.get("/pages")
    async def pages(offset: Offset = 0, limit: Annotated[int, Query(le=500)] = 50) -> int:
        return offset + limit

    @router.post("/uploads")
    async def upload(request: Request) -> int:
        return len(await request.body())

    return router


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    reached.clear()
    app = create_app(
        service="test",
        settings=ServiceSettings(environment="test", oidc_issuer=NO_ISSUER),
        routers=[_router()],
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def _fields(response: httpx.Response) -> list[tuple[str, str, str]]:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    return [(f["location"], f["field"], f["type"]) for f in error["detail"]["fields"]]


async def test_a_nul_in_a_path_value_is_422_before_any_dependency_runs(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/sites/a%00b")
    assert _fields(response) == [("path", "site_id", "unstorable_text")]
    [field] = response.json()["error"]["detail"]["fields"]
    assert field["message"] == "内容含有无法保存的字符(如空字符)"
    assert reached == []


async def test_a_nul_in_a_query_value_is_422_in_english_on_request(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/sites/s1?q=%00", headers={"Accept-Language": "en"})
    assert _fields(response) == [("query", "q", "unstorable_text")]
    [field] = response.json()["error"]["detail"]["fields"]
    assert field["message"].startswith("This value contains a character that cannot be stored")


async def test_body_strings_numbers_and_keys_are_named_where_they_are(
    client: httpx.AsyncClient,
) -> None:
    raw = (
        '{"text": "ok", "tags": ["fine", "bad\\u0000"], "count": 99999999999999999999,'
        ' "weight": NaN, "extra": {"\\u0000key": 1, "lone": "\\ud800"}}'
    )
    response = await client.post(
        "/sites/s1/notes", content=raw, headers={"Content-Type": "application/json"}
    )
    assert sorted(_fields(response)) == [
        ("body", "count", "out_of_range"),
        ("body", "extra.\x00key", "unstorable_text"),
        ("body", "extra.lone", "unstorable_text"),
        ("body", "tags.1", "unstorable_text"),
        ("body", "weight", "out_of_range"),
    ]


async def test_what_only_looks_suspect_passes(client: httpx.AsyncClient) -> None:
    # An escaped backslash before "u0000", a valid surrogate pair (an emoji), a long
    # digit string and a bigint at its limit are all storable.
    raw = (
        '{"text": "C:\\\\u0000 \\ud83d\\ude00 1234567890123456789012", '
        f'"count": {2**63 - 1}, "weight": 1e3}}'
    )
    response = await client.post(
        "/sites/s1/notes", content=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["text"] == "C:\\u0000 😀 1234567890123456789012"


async def test_an_offset_past_bigint_is_422_naming_its_bound(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/pages?offset={2**64}")
    assert _fields(response) == [("query", "offset", "less_than_equal")]
    [field] = response.json()["error"]["detail"]["fields"]
    assert field["message"] == f"不能大于 {2**63 - 1}"
    english = await client.get("/pages?limit=501", headers={"Accept-Language": "en"})
    [field] = english.json()["error"]["detail"]["fields"]
    assert field["message"] == "This must be at most 500."
    assert (await client.get(f"/pages?offset={2**63 - 1}&limit=0")).status_code == 200


async def test_a_body_the_route_reads_itself_is_left_alone(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/uploads", content=b"\x00\x01" * 10, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    assert response.json() == 20


async def test_health_answers_whatever_the_query(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz?x=%00")).status_code == 200
