"""Idempotent consumers: effect and "applied" record commit in one transaction."""

from crosscheck_platform.consumer.runner import (
    BatchHandler,
    EventHandler,
    IdempotentConsumer,
    ReceivedEvent,
)
from crosscheck_platform.consumer.tracking import Deduplication

__all__ = ["BatchHandler", "Deduplication", "EventHandler", "IdempotentConsumer", "ReceivedEvent"]
