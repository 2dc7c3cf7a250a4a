"""Security headers on every answer, errors and health included.

The API answers JSON (and files) that no browser should render, frame, sniff or
cache: the content security policy allows nothing at all. The interactive docs
(outside production only) are a page that loads Swagger UI, so they get a policy that
allows exactly that. A route that serves a page of its own (the rectification notice)
sets its own policy; headers a route set are left as they are.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from urllib.parse import urlsplit

from fastapi.openapi.docs import get_swagger_ui_html
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
"""For a self-contained HTML page with inline styles (and inline images)."""

HSTS = "max-age=31536000; includeSubDomains"

_ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _swagger_origins() -> dict[str, str]:
    """Where the docs page loads Swagger UI from: FastAPI's own defaults, read from it
    so that the policy follows FastAPI when it moves them."""
    defaults = inspect.signature(get_swagger_ui_html).parameters

    def origin(name: str) -> str:
        url = urlsplit(str(defaults[name].default))
        return f"{url.scheme}://{url.netloc}"

    return {
        "script": origin("swagger_js_url"),
        "style": origin("swagger_css_url"),
        "image": origin("swagger_favicon_url"),
    }


def docs_policy() -> str:
    origins = _swagger_origins()
    return "; ".join(
        [
            "default-src 'none'",
            # The page starts Swagger UI with an inline script.
            f"script-src 'self' 'unsafe-inline' {origins['script']}",
            f"style-src 'self' 'unsafe-inline' {origins['style']}",
            f"img-src 'self' data: {origins['image']}",
            # The OpenAPI document and "try it out" requests go to this service.
            "connect-src 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    def __init__(
        self, app: ASGIApp, *, production: bool, docs_paths: Iterable[str | None] = ()
    ) -> None:
        self.app = app
        self.headers = dict(_ALWAYS)
        if production:
            self.headers["Strict-Transport-Security"] = HSTS
        self.docs_paths = frozenset(p for p in docs_paths if p)
        self.docs_policy = docs_policy()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.docs_policy if scope["path"] in self.docs_paths else API_POLICY

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", policy)
            await send(message)

        await self.app(scope, receive, with_headers)
