"""Idempotent consumers: effect and "applied" marker commit in one transaction."""

from crosscheck_platform.consumer.runner import (
    EventHandler,
    IdempotentConsumer,
    ReceivedEvent,
)

__all__ = ["EventHandler", "IdempotentConsumer", "ReceivedEvent"]
