"""One trace across services: an HTTP command to the registry, the event it recorded on
Kafka, and the consumers that applied it in rotation (one event at a time) and in the
ledgers (in batches) share the trace id the caller sent in `traceparent`, each consumer
span a child of the registry's request span. Spans are caught by an in-memory exporter;
the services run in this process on the real broker and database."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from crosscheck_contracts.base import BoundedContext
from crosscheck_contracts.topics import Topics
from crosscheck_platform.auth import Role
from crosscheck_platform.db import Database
from crosscheck_platform.http import ServiceRuntime
from crosscheck_testing.auth import bearer
from crosscheck_testing.infra import Infra
from crosscheck_testing.kafka_reading import read_until
from crosscheck_testing.schema import migrate_schema

pytestmark = pytest.mark.infra

COUNTY, TOWNSHIP = "532327", "532327101"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):  # the process's first: make it ours
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


async def started(
    stack: AsyncExitStack, infra: Infra, name: str, namespace: str
) -> tuple[httpx.AsyncClient, ServiceRuntime]:
    schema = f"{namespace}_{name}"
    await migrate_schema(infra, schema, name)
    settings = infra.service_settings(namespace, schema)
    app = importlib.import_module(f"crosscheck_{name}.bootstrap").build_app(settings)
    await stack.enter_async_context(app.router.lifespan_context(app))
    client = await stack.enter_async_context(
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}")
    )
    return client, app.state.runtime


@pytest.fixture
async def cleanup(infra: Infra, unique_name: str) -> AsyncIterator[None]:
    yield
    db = await Database.connect(infra.database_url, "public", min_size=1, max_size=1)
    for name in ("registry", "rotation", "ledgers"):
        await db.execute(f"DROP SCHEMA IF EXISTS {unique_name}_{name} CASCADE")
    await db.close()


async def test_one_trace_from_the_request_through_kafka_to_the_consumers(
    infra: Infra, unique_name: str, spans: InMemorySpanExporter, cleanup: None
) -> None:
    async with AsyncExitStack() as stack:
        registry, _ = await started(stack, infra, "registry", unique_name)
        _, rotation = await started(stack, infra, "rotation", unique_name)
        _, ledgers = await started(stack, infra, "ledgers", unique_name)
        headers = {
            **bearer(infra.issuer, Role.TOWNSHIP_ADMIN, county=COUNTY, township=TOWNSHIP),
            "traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-01",
        }
        answer = await registry.put(
            f"/v1/townships/{TOWNSHIP}",
            json={"name": "维的乡", "county_name": "永仁县"},
            headers=headers,
        )
        assert answer.status_code == 201, answer.text
        async with asyncio.timeout(60):
            while (
                rotation.consumers["roster"].applied < 1 or ledgers.consumers["ledgers"].applied < 1
            ):
                await asyncio.sleep(0.05)

    [record] = await read_until(
        infra.kafka_bootstrap,
        Topics(unique_name).of(BoundedContext.REGISTRY),
        lambda records: len(records) >= 1,
    )
    assert dict(record.headers)["ce_traceparent"].decode().split("-")[1] == TRACE_ID

    traced = [s for s in spans.get_finished_spans() if _trace_id(s) == TRACE_ID]
    [request] = [s for s in traced if s.kind is SpanKind.SERVER]
    assert request.attributes is not None
    assert request.attributes["http.route"] == "/v1/townships/{code}"
    assert request.parent is not None and f"{request.parent.span_id:016x}" == CALLER_SPAN
    # The request's span and the spans inside it (the endpoint's, where the command ran).
    inside = {request.context.span_id}
    for span in sorted(traced, key=lambda s: s.start_time or 0):
        if (
            span.parent is not None
            and span.parent.span_id in inside
            and span.kind is not SpanKind.CONSUMER
        ):
            inside.add(span.context.span_id)
    consumed = {s.name: s for s in traced if s.kind is SpanKind.CONSUMER}
    for consumer in (f"{unique_name}_rotation.roster", f"{unique_name}_ledgers.ledgers"):
        span = consumed[f"{consumer} apply"]
        assert span.parent is not None and span.parent.span_id in inside, consumer


def _trace_id(span: ReadableSpan) -> str:
    context: Any = span.context
    return f"{context.trace_id:032x}"
