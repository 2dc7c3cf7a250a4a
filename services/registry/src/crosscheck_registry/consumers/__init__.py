"""Kafka consumers of the registry service, started with the service and stopped before
its outbox relay. Each is a RuntimePart that subscribes an IdempotentConsumer."""

from __future__ import annotations

from crosscheck_platform.http import RuntimePart


def consumers() -> list[RuntimePart]:
    return []
