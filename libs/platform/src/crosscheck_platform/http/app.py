"""The FastAPI app every Crosscheck service is built with.

Everything the app needs arrives as arguments (settings, lifespan parts, routers,
readiness checks), so nothing is built at import time and tests can make as many
differently configured apps as they like.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI

from crosscheck_platform.auth.verifier import TokenVerifier
from crosscheck_platform.http.documented import document_error_answers
from crosscheck_platform.http.errors import install_error_handlers
from crosscheck_platform.http.health import ReadinessCheck, health_router
from crosscheck_platform.http.ratelimit import AddressRateLimit, RateLimits, limit_principal
from crosscheck_platform.http.security import SecurityHeaders
from crosscheck_platform.http.storable import refuse_unstorable_input
from crosscheck_platform.http.unhandled import UnhandledErrors
from crosscheck_platform.metrics import MetricsSource, install_metrics
from crosscheck_platform.settings import ServiceSettings

# A piece of start-up and shutdown: entered in order, exited in reverse order.
LifespanPart = Callable[[FastAPI], AbstractAsyncContextManager[Any]]


def create_app(
    *,
    service: str,
    settings: ServiceSettings,
    lifespan_parts: Sequence[LifespanPart] = (),
    routers: Sequence[APIRouter] = (),
    readiness_checks: Mapping[str, ReadinessCheck] | None = None,
    metrics_sources: Mapping[str, MetricsSource] | None = None,
) -> FastAPI:
    parts = list(lifespan_parts)
    # Before anything else: a service that cannot tell who is asking must not start.
    verifier = TokenVerifier(
        settings.oidc_issuer or "", settings.oidc_audience, jwks_url=settings.oidc_jwks_url
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The exit stack unwinds in reverse, also when a later part fails to start:
        # what was started is stopped, what was not is left alone.
        async with AsyncExitStack() as stack:
            for part in parts:
                await stack.enter_async_context(part(app))
            yield

    production = settings.environment == "production"
    app = FastAPI(
        title=f"Crosscheck {service}",
        lifespan=lifespan,
        # API docs are for developers; production serves only the API itself, and
        # does not describe it to whoever asks either.
        docs_url=None if production else "/docs",
        redoc_url=None,
        openapi_url=None if production else "/openapi.json",
    )
    app.state.service = service
    app.state.settings = settings
    app.state.token_verifier = verifier
    app.state.rate_limits = limits = RateLimits(settings)
    install_error_handlers(app)
    # Added innermost first: security headers go on every answer, 500s and 503s too.
    app.add_middleware(AddressRateLimit, limits=limits)
    app.add_middleware(UnhandledErrors)
    install_metrics(app, metrics_sources or {})
    app.add_middleware(
        SecurityHeaders,
        production=production,
        docs_paths=[app.docs_url, app.swagger_ui_oauth2_redirect_url],
    )
    app.include_router(health_router(readiness_checks or {}))
    # Before a route's own dependencies run (which may query the database): the
    # principal's rate limit, then values PostgreSQL could not store.
    guards = [Depends(limit_principal), Depends(refuse_unstorable_input)]
    for router in routers:
        app.include_router(router, dependencies=guards)
    document_error_answers(app)
    return app
