"""Input PostgreSQL cannot store is refused with 422 before a route sees it.

PostgreSQL's text and jsonb hold no NUL character, UTF-8 has no lone surrogates (JSON
can still spell both), bigint ends at 2**63 - 1 and jsonb has no NaN or Infinity
(which Python's JSON reader accepts). A value like that used to fail deep inside a
query as a 500; every service's routes get this check instead, naming the field the
way pydantic's own validation errors do.

Path and query values and headers are checked on every request (a few characters
each). A JSON body is only walked when a scan of its raw bytes finds something that
may be such a value, so ordinary commands pay one regular-expression search.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

BIGINT_MIN = -(2**63)
BIGINT_MAX = 2**63 - 1
INT_MAX = 2**31 - 1

_UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")
# In JSON text: an escaped NUL or surrogate, 19 digits or more, NaN, Infinity, or an
# exponent of three digits. False alarms (an escaped backslash before "u0000", a valid
# surrogate pair, a long digit string) only cost a walk that finds nothing.
_SUSPECT_JSON = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])|\d{19}|NaN|Infinity|[eE][+-]?\d{3}")

Location = tuple[str | int, ...]


def unstorable_text(value: str) -> bool:
    return _UNSTORABLE_TEXT.search(value) is not None


def _text_error(loc: Location) -> dict[str, Any]:
    return {"type": "unstorable_text", "loc": loc, "msg": "contains an unstorable character"}


def _number_error(loc: Location) -> dict[str, Any]:
    return {"type": "out_of_range", "loc": loc, "msg": "number out of range"}


def _json_errors(value: Any, loc: Location) -> Iterator[dict[str, Any]]:
    if isinstance(value, str):
        if unstorable_text(value):
            yield _text_error(loc)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not BIGINT_MIN <= value <= BIGINT_MAX:
            yield _number_error(loc)
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield _number_error(loc)
    elif isinstance(value, dict):
        for key, item in value.items():
            if unstorable_text(key):
                yield _text_error((*loc, key))
            else:
                yield from _json_errors(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_errors(item, (*loc, index))


def _plain_errors(request: Request) -> Iterator[dict[str, Any]]:
    for name, value in request.path_params.items():
        if isinstance(value, str) and unstorable_text(value):
            yield _text_error(("path", name))
    for name, value in request.query_params.multi_items():
        if unstorable_text(name) or unstorable_text(value):
            yield _text_error(("query", name))
    # HTTP servers refuse NUL in headers; an ASGI client in a test may not.
    for raw_name, raw_value in request.scope["headers"]:
        if b"\x00" in raw_value:
            yield _text_error(("header", raw_name.decode("latin-1")))


async def _body_errors(request: Request) -> list[dict[str, Any]]:
    route = request.scope.get("route")
    # Only a declared JSON body has been read (and parsed) already; an upload the
    # route streams itself, or a form, is left alone.
    if not isinstance(route, APIRoute) or route.body_field is None:
        return []
    content_type = request.headers.get("content-type", "application/json")
    if "json" not in content_type.lower():
        return []
    raw = await request.body()
    if not _SUSPECT_JSON.search(raw):
        return []
    try:
        parsed = await request.json()
    except ValueError:
        return []  # not JSON: the route's own validation says so
    return list(_json_errors(parsed, ("body",)))


async def refuse_unstorable_input(request: Request) -> None:
    """A dependency of every service route: 422 naming each field that holds a value
    PostgreSQL cannot store."""
    errors = [*_plain_errors(request), *await _body_errors(request)]
    if errors:
        raise RequestValidationError(errors)
