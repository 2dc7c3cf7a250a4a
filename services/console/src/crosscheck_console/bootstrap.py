"""Wiring of the console: no database and no broker; an HTTP client to the provider and
the services, the page routers, and the answers pages give when something is refused."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.gzip import GZipMiddleware

from crosscheck_console.adapters.oidc import Provider
from crosscheck_console.adapters.services import ApiRefused, Apis
from crosscheck_console.adapters.session import Sealer
from crosscheck_console.api import routers
from crosscheck_console.api.auth import write_session
from crosscheck_console.api.web import (
    TEMPLATES,
    BadForm,
    Console,
    Forbidden,
    NeedsLogin,
    console_of,
    local_day,
    local_time,
    render,
)
from crosscheck_console.settings import ConsoleSettings
from crosscheck_platform.auth.verifier import TokenVerifier
from crosscheck_platform.http import create_app, load_settings
from crosscheck_platform.settings import ServiceSettings

SERVICE = "console"
DEFAULT_PORT = 8106
STATIC = Path(__file__).resolve().parent / "static"


def settings_from_env() -> ServiceSettings:
    return load_settings(default_port=DEFAULT_PORT)


def templates() -> Jinja2Templates:
    found = Jinja2Templates(directory=TEMPLATES)
    found.env.filters["local_day"] = local_day
    found.env.filters["local_time"] = local_time
    return found


def build_app(
    settings: ServiceSettings, console_settings: ConsoleSettings | None = None
) -> FastAPI:
    production = settings.environment == "production"
    own = (console_settings or ConsoleSettings()).with_key(production)
    assert own.session_key is not None
    http = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=5.0))
    console = Console(
        settings=own,
        provider=Provider(
            settings.oidc_issuer or "", own.client_id, own.public_url + "/auth/callback", http
        ),
        apis=Apis(
            http,
            {
                "registry": own.registry_url,
                "rotation": own.rotation_url,
                "hazards": own.hazards_url,
                "notify": own.notify_url,
                "ledgers": own.ledgers_url,
            },
        ),
        sealer=Sealer(own.session_key.get_secret_value()),
        verifier=TokenVerifier(
            settings.oidc_issuer or "", settings.oidc_audience, jwks_url=settings.oidc_jwks_url
        ),
        templates=templates(),
        production=production,
    )

    @contextlib.asynccontextmanager
    async def client(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await http.aclose()

    async def provider_ready() -> bool:
        await console.provider.endpoints()
        return True

    app = create_app(
        service=SERVICE,
        settings=settings,
        lifespan_parts=[client],
        routers=routers(),
        readiness_checks={"identity_provider": provider_ready},
    )
    app.state.console = console
    # Only the static files are compressed (the charting library shrinks by two thirds);
    # pages carry the form token and are left as they are.
    app.mount("/static", GZipMiddleware(StaticFiles(directory=STATIC)), name="static")
    _answers(app)
    return app


def _answers(app: FastAPI) -> None:
    @app.middleware("http")
    async def renew(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        session = getattr(request.state, "renewed_session", None)
        if session is not None:
            write_session(console_of(request), response, session)
        if request.url.path.startswith("/static/"):
            # Versioned by the release: a phone loads them once.
            response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    @app.exception_handler(NeedsLogin)
    async def needs_login(request: Request, _: Exception) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Forbidden)
        return render(request, "forbidden.html", exc.user, 403)

    @app.exception_handler(BadForm)
    async def bad_form(request: Request, _: Exception) -> Response:
        return render(request, "message.html", None, 400, key="console.csrf")

    @app.exception_handler(ApiRefused)
    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiRefused)
        if exc.status == 401:
            return await needs_login(request, exc)
        status = exc.status if exc.status in (403, 404, 409, 422, 503) else 502
        return render(
            request, "message.html", None, status, key="console.error", detail=exc.message
        )
