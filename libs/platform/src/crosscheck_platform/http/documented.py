"""Every status a route can answer, documented in OpenAPI with the one error model.

Outside clients and the console generate code from the OpenAPI documents, so what a
route may answer besides its success belongs there: 401 and 403 on every authenticated
route, 404 where the path names a resource, 409 where a command can meet a concurrent
change, 422, 429 and 503 everywhere. The shapes are those `http.errors` writes.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, for programs: e.g. out_of_scope, validation_error")
    message: str = Field(description="for people, in the caller's language (zh-CN or en)")
    detail: dict[str, Any] = Field(
        default_factory=dict, description="machine-readable particulars; never internals"
    )


class ErrorBody(BaseModel):
    error: ErrorDetail


_REF = "#/components/schemas/ErrorBody"
_STATUS: dict[str, tuple[str, tuple[str, ...]]] = {
    "401": ("No token, or one that cannot be trusted.", ("WWW-Authenticate",)),
    "403": ("The caller's role or scope does not allow this.", ()),
    "404": ("No such resource.", ()),
    "409": ("The resource changed meanwhile, or its state does not allow this.", ()),
    "422": ("The request is malformed; `detail.fields` names each field and why.", ()),
    "429": ("Too many requests from this principal or address.", ("Retry-After",)),
    "503": ("The database, broker or identity provider is unreachable.", ("Retry-After",)),
}
_UNAUTHENTICATED_PATHS = frozenset({"/healthz", "/readyz"})
_COMMANDS = frozenset({"post", "put", "patch", "delete"})


def _answer(status: str) -> dict[str, Any]:
    description, headers = _STATUS[status]
    answer: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _REF}}},
    }
    if headers:
        answer["headers"] = {name: {"schema": {"type": "string"}} for name in headers}
    return answer


def statuses_of(path: str, method: str) -> list[str]:
    """The error statuses an operation can answer besides what it declares itself."""
    if path in _UNAUTHENTICATED_PATHS:
        return []
    statuses = ["401", "403", "422", "429", "503"]
    if "{" in path:
        statuses.append("404")
    if method in _COMMANDS:
        statuses.append("409")
    return sorted(statuses)


def with_error_answers(document: dict[str, Any]) -> dict[str, Any]:
    """The app's OpenAPI document with every operation's error answers added (an answer a
    route declares itself is kept) and FastAPI's own 422 shape replaced by ours, which is
    what the error handlers really send."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(body.pop("$defs", {}))
    schemas["ErrorBody"] = body
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            answers = operation.setdefault("responses", {})
            for status in statuses_of(path, method):
                declared = answers.get(status)
                if declared is None or "HTTPValidationError" in str(declared):
                    answers[status] = _answer(status)
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused not in str(document.get("paths")):
            schemas.pop(unused, None)
    return document


def document_error_answers(app: FastAPI) -> None:
    """Make `app.openapi()` carry the error answers (see `with_error_answers`)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_error_answers(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
