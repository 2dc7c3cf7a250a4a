"""The FastAPI app every Crosscheck service is built with.

Everything the app needs arrives as arguments (settings, lifespan parts, routers,
readiness checks), so nothing is built at import time and tests can make as many
differently configured apps as they like.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI

from crosscheck_platform.http.errors import install_error_handlers
from crosscheck_platform.http.health import ReadinessCheck, health_router
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

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The exit stack unwinds in reverse, also when a later part fails to start:
        # what was started is stopped, what was not is left alone.
        async with AsyncExitStack() as stack:
            for part in parts:
                await stack.enter_async_context(part(app))
            yield

    app = FastAPI(
        title=f"Crosscheck {service}",
        lifespan=lifespan,
        # API docs are for developers; production serves only the API itself.
        docs_url=None if settings.environment == "production" else "/docs",
        redoc_url=None,
    )
    app.state.service = service
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(UnhandledErrors)
    install_metrics(app, metrics_sources or {})
    app.include_router(health_router(readiness_checks or {}))
    for router in routers:
        app.include_router(router)
    return app
