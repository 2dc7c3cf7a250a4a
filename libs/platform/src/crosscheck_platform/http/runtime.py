"""What a running service holds: filled in by its lifespan parts, read by its routes
(through the `Runtime` dependency) and by its readiness checks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, cast

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import Depends, Request

from crosscheck_contracts.topics import Topics
from crosscheck_platform.consumer import IdempotentConsumer
from crosscheck_platform.db import Database
from crosscheck_platform.eventstore import EventStore
from crosscheck_platform.eventstore.postgres import PostgresEventStore
from crosscheck_platform.settings import ServiceSettings


class NotStarted(RuntimeError):
    """Something was used before the lifespan part that provides it had started."""


@dataclass(frozen=True)
class Subscription:
    """A running consumer's group and topics, and its Kafka consumer (None until
    started), for the lag reported at /metrics."""

    group: str
    topics: tuple[str, ...]
    kafka: Callable[[], AIOKafkaConsumer | None]


@dataclass
class ServiceRuntime:
    service: str
    settings: ServiceSettings
    schema: str
    topics: Topics
    db: Database | None = None
    store: PostgresEventStore | None = None
    producer: AIOKafkaProducer | None = None
    relay_task: asyncio.Task[None] | None = None
    # Running consumers by name: tests and readiness read their counters.
    consumers: dict[str, IdempotentConsumer] = field(default_factory=dict)
    subscriptions: dict[str, Subscription] = field(default_factory=dict)

    @property
    def database(self) -> Database:
        if self.db is None:
            raise NotStarted("database is not connected")
        return self.db

    @property
    def event_store(self) -> EventStore:
        if self.store is None:
            raise NotStarted("event store is not set up")
        return self.store

    async def database_ready(self) -> bool:
        return self.db is not None and await self.db.fetchval("SELECT 1") == 1

    async def kafka_ready(self) -> bool:
        if self.producer is None:
            return False
        # A metadata round trip proves a broker answers, not just that we once did.
        await self.producer.client.fetch_all_metadata()
        return True

    async def relay_ready(self) -> bool:
        # A relay that died would leave events in the outbox while we accept commands.
        return self.relay_task is not None and not self.relay_task.done()


async def runtime_of(request: Request) -> ServiceRuntime:
    return cast(ServiceRuntime, request.app.state.runtime)


Runtime = Annotated[ServiceRuntime, Depends(runtime_of)]
