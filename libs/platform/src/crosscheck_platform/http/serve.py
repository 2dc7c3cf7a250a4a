"""Serving an app with uvicorn, with the host, port and shutdown grace from settings."""

from __future__ import annotations

import gc
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from crosscheck_platform.auth.verifier import IssuerNotConfigured
from crosscheck_platform.settings import ServiceSettings
from crosscheck_platform.tracing import configure_tracing

# Time for in-flight requests to finish on SIGTERM before connections are closed;
# below Kubernetes' default 30 s grace period so the lifespan shutdown still runs.
GRACEFUL_SHUTDOWN_SECONDS = 20


def run(build_app: Callable[[ServiceSettings], FastAPI], settings: ServiceSettings) -> None:
    """Build the service's app from its settings and serve it until SIGTERM; a
    configuration the service cannot run with ends the process with the reason."""
    try:
        app = build_app(settings)
        configure_tracing(f"crosscheck-{app.state.service}")
    except IssuerNotConfigured as exc:
        raise SystemExit(f"crosscheck: cannot start: {exc}") from None
    # What exists now (modules, pydantic validators, routes) lives as long as the
    # process. Unfrozen, every full collection walks all of it again: long pauses
    # under load, each one in some request's latency. Frozen, collections see only
    # what requests allocate.
    gc.collect()
    gc.freeze()
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        # uvicorn trusts X-Forwarded-For from loopback by default; only the proxies the
        # settings name may say who the client is (the rate limits count by it).
        proxy_headers=settings.trusted_proxies is not None,
        forwarded_allow_ips=settings.trusted_proxies or "",
        # Keep the JSON logging configured by the service; uvicorn's loggers join it.
        log_config=None,
    )
