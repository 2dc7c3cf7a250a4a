"""/metrics on the app's own port, for Prometheus; no auth, like the health checks.

Its labels name routes, schemas, consumer groups and topics, never a person or a
township. Network policy lets only the monitoring namespace and the ingress reach the
port, and the ingress routes /v1 only (deploy/kubernetes).
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, FastAPI
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from crosscheck_platform.metrics.requests import RequestDurations, request_histogram
from crosscheck_platform.metrics.scrape import MetricsSource, ScrapeTime


def install_metrics(app: FastAPI, sources: Mapping[str, MetricsSource]) -> None:
    """Time every request and serve /metrics with `sources` read at each scrape."""
    # One registry per app, not the process-wide default: tests build many apps.
    registry = CollectorRegistry()
    app.add_middleware(RequestDurations, histogram=request_histogram(registry))
    scrape = ScrapeTime(sources, registry)
    router = APIRouter(tags=["health"])

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        async with scrape.lock:
            await scrape.refresh()
            body = generate_latest(registry)
        return Response(body, media_type=CONTENT_TYPE_PLAIN_0_0_4)

    app.include_router(router)
    app.state.metrics_registry = registry
