"""One shape for every error answer, in the caller's language:

    {"error": {"code": "conflict", "message": "该记录已被他人修改…", "detail": {...}}}

`code` is stable for programs; `message` is for people; `detail` never carries internals.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from crosscheck_platform.errors import DomainError
from crosscheck_platform.eventstore import ConcurrencyConflict
from crosscheck_platform.http.statuses import status_of
from crosscheck_platform.http.transient import RETRY_AFTER_SECONDS
from crosscheck_platform.http.validation import field_errors
from crosscheck_platform.i18n import preferred_language, translate

_HTTP_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}


def error_response(
    request: Request,
    status: int,
    code: str,
    message_key: str,
    *,
    params: Mapping[str, Any] | None = None,
    detail: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Params fill the message; detail is returned as is, for programs; headers are
    added to the answer's own (e.g. Retry-After)."""
    lang = preferred_language(request.headers.get("accept-language"))
    body = {
        "code": code,
        "message": translate(message_key, lang, **(params or {})),
        "detail": dict(detail or {}),
    }
    own = {"Content-Language": "en" if lang == "en" else "zh-CN", "Vary": "Accept-Language"}
    if status == 401:
        own["WWW-Authenticate"] = "Bearer"
    if status == 503:
        # Transient: clients (and the console's offline queue) retry with the same keys.
        own["Retry-After"] = str(RETRY_AFTER_SECONDS)
    own.update(headers or {})
    return JSONResponse(jsonable_encoder({"error": body}), status_code=status, headers=own)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    retry = {} if exc.retry_after is None else {"Retry-After": str(exc.retry_after)}
    return error_response(
        request,
        status_of(exc),
        exc.code,
        exc.key,
        params=exc.params,
        detail=exc.params,
        headers=retry,
    )


async def _conflict(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ConcurrencyConflict)
    detail = {"stream_id": exc.stream_id, "expected_version": exc.expected_version}
    return error_response(
        request,
        409,
        "conflict",
        "conflict",
        params={"expected": exc.expected_version},
        detail=detail,
    )


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    lang = preferred_language(request.headers.get("accept-language"))
    return error_response(
        request,
        422,
        "validation_error",
        "validation",
        detail={"fields": field_errors(exc.errors(), lang)},
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    # Routing and framework errors (unknown path, wrong method) get the same shape.
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    response = error_response(request, exc.status_code, code, code)
    response.headers.update(exc.headers or {})
    return response


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(ConcurrencyConflict, _conflict)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)
