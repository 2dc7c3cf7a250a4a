"""Kafka consumers of the registry service, started with the service and stopped before
its outbox relay.

The registry consumes nothing today: its read model is written in the transaction of
each command (see `adapters.schema` for why), and it depends on no other context.
"""

from __future__ import annotations

from crosscheck_platform.http import RuntimePart


def consumers() -> list[RuntimePart]:
    return []
