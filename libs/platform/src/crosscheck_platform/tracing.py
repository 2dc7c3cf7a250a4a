"""Traces across services: HTTP request → event store → Kafka → consumers.

The trace context travels in W3C `traceparent` form: in the request's header (FastAPI
makes the request's span, a child of the caller's, through the OpenTelemetry API), in
the command's context, in each event's envelope (the CloudEvents distributed tracing
extension, `ce_traceparent` on Kafka), and from there into the consumer's span for that
event, whose own commands carry it on. Spans are exported over OTLP when
OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, with the
standard OTEL_* variables; otherwise nothing is recorded and nothing is stamped on
events (the API's no-op tracer, no cost per event).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_PROPAGATOR = TraceContextTextMapPropagator()
ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


def tracer() -> trace.Tracer:
    return trace.get_tracer("crosscheck")


def current_traceparent() -> str | None:
    """The active span's context as a `traceparent` value; None outside a recorded trace."""
    span = trace.get_current_span()
    if not span.get_span_context().is_valid:
        return None
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent")


def context_from(traceparent: str | None) -> Context | None:
    """The remote parent a `traceparent` names (None if absent or unreadable)."""
    if not traceparent:
        return None
    extracted = _PROPAGATOR.extract({"traceparent": traceparent})
    return extracted if trace.get_current_span(extracted).get_span_context().is_valid else None


@contextmanager
def consumer_span(name: str, traceparent: str | None, **attributes: str) -> Iterator[Span | None]:
    """The span of applying one event, child of the span that recorded it, current
    inside the block; nothing when the event carries no trace."""
    parent = context_from(traceparent)
    if parent is None:
        yield None
        return
    with tracer().start_as_current_span(
        name, context=parent, kind=SpanKind.CONSUMER, attributes=attributes
    ) as span:
        yield span


def configure_tracing(service: str) -> bool:
    """Export this process's spans over OTLP if an endpoint is configured; True if so."""
    if not any(os.environ.get(name) for name in ENDPOINT_VARIABLES):
        return False
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", service)})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return True


@contextmanager
def batch_spans(name: str, traceparents: Sequence[str | None], **attributes: str) -> Iterator[None]:
    """A span per traced event of a batch applied at once, each a child of the span that
    recorded its event, all covering the batch's application (none current)."""
    parents = [p for p in map(context_from, traceparents) if p is not None]
    spans = [
        tracer().start_span(name, context=p, kind=SpanKind.CONSUMER, attributes=attributes)
        for p in parents
    ]
    try:
        yield
    finally:
        for span in spans:
            span.end()
