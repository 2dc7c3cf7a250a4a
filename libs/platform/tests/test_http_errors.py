"""Every error answer has one shape, speaks the caller's language, and leaks nothing."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel, Field

from crosscheck_platform.errors import NotFound, StateConflict
from crosscheck_platform.eventstore import ConcurrencyConflict
from crosscheck_platform.http import create_app
from crosscheck_platform.i18n import register
from crosscheck_platform.settings import ServiceSettings


class AlreadyVerified(StateConflict):
    code = "hazard_already_verified"
    message_key = "test.hazard_already_verified"


class ReportRectification(BaseModel):
    hazard_id: str = Field(min_length=1)
    photos: int


def _router() -> APIRouter:
    router = APIRouter()

    @router.post("/hazards/{hazard_id}/verify")
    async def verify(hazard_id: str) -> None:
        raise ConcurrencyConflict(f"hazard-{hazard_id}", 3)

    @router.post("/hazards/{hazard_id}/close")
    async def close(hazard_id: str) -> None:
        raise AlreadyVerified(hazard_id=hazard_id)

    @router.get("/hazards/{hazard_id}")
    async def show(hazard_id: str) -> None:
        raise NotFound(status="closed", code="x")  # params may use any name

    @router.post("/rectifications")
    async def report(command: ReportRectification) -> None:
        return None

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("password=hunter2 at db.internal:5432")

    return router


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    register(
        {
            "test.hazard_already_verified": (
                "隐患 {hazard_id} 已验收",
                "Hazard {hazard_id} is already verified",
            )
        }
    )
    app = create_app(
        service="test",
        settings=ServiceSettings(environment="test", oidc_issuer="http://issuer.invalid/realms/x"),
        routers=[_router()],
    )
    # raise_app_exceptions stays on: an unexpected error must end in our 500 answer,
    # not escape to the server (which would log it a second time).
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_a_concurrent_change_is_409_in_chinese_by_default(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/hazards/h1/verify")
    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "conflict",
            "message": "该记录已被他人修改(版本 3),请刷新后重试",
            "detail": {"stream_id": "hazard-h1", "expected_version": 3},
        }
    }
    assert response.headers["content-language"] == "zh-CN"


async def test_a_concurrent_change_is_409_in_english_on_request(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/hazards/h1/verify", headers={"Accept-Language": "en-US,en;q=0.9,zh;q=0.5"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["message"].startswith("This record was changed by someone")


async def test_domain_errors_carry_their_status_code_and_message(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/hazards/h7/close")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "hazard_already_verified",
        "message": "隐患 h7 已验收",
        "detail": {"hazard_id": "h7"},
    }
    missing = await client.get("/hazards/h7", headers={"Accept-Language": "en"})
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert missing.json()["error"]["detail"] == {"status": "closed", "code": "x"}


async def test_invalid_requests_are_422_field_by_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/rectifications", json={"hazard_id": ""})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == "提交的数据有误,请检查后重试"
    fields = {f["field"]: f for f in error["detail"]["fields"]}
    assert fields["photos"] == {
        "location": "body",
        "field": "photos",
        "type": "missing",
        "message": "此项为必填项",
    }
    assert fields["hazard_id"]["type"] == "string_too_short"

    english = await client.post(
        "/rectifications",
        json={"hazard_id": "h", "photos": "many"},
        headers={"Accept-Language": "en"},
    )
    [photos] = english.json()["error"]["detail"]["fields"]
    assert photos["message"] == "This value has the wrong type or format."


async def test_an_unexpected_failure_is_500_without_internals(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = await client.get("/boom")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert error["message"] == "服务器内部错误,请稍后重试"
    assert set(error["detail"]) == {"error_id"}
    assert "hunter2" not in response.text and "RuntimeError" not in response.text
    # The operator finds the traceback under the id the user quotes.
    ids = [r.__dict__.get("error_id") for r in caplog.records if r.exc_info]
    assert ids == [error["detail"]["error_id"]]


async def test_unknown_paths_answer_in_the_same_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/nowhere", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "The requested item was not found."
    wrong_method = await client.delete("/rectifications")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"
    assert "allow" in wrong_method.headers
