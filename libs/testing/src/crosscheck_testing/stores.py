"""The `event_store` fixture: each test that takes it runs twice, on the in-memory store
(milliseconds, no stack) and on PostgreSQL (marked `infra`), so service-layer tests prove
that both backends give a command the same outcome.

A module sets `store_service` (whose migrations the PostgreSQL schema gets) and, if its
events are not the contracts' own, `event_catalogue`.
"""

from __future__ import annotations

import pytest

from crosscheck_contracts.catalogue import EventCatalogue
from crosscheck_contracts.topics import Topics
from crosscheck_platform.db import Database
from crosscheck_platform.eventstore import EventStore
from crosscheck_platform.eventstore.memory import InMemoryEventStore
from crosscheck_platform.eventstore.postgres import PostgresEventStore
from crosscheck_platform.migrations import upgrade

BACKENDS = [
    pytest.param("memory", id="memory"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.infra),
]


@pytest.fixture
def store_service() -> str | None:
    return None


@pytest.fixture
def event_catalogue() -> EventCatalogue:
    from crosscheck_contracts import CATALOGUE

    return CATALOGUE


@pytest.fixture(params=BACKENDS)
def event_store(
    request: pytest.FixtureRequest, store_service: str | None, event_catalogue: EventCatalogue
) -> EventStore:
    if request.param == "memory":
        return InMemoryEventStore()
    db: Database = request.getfixturevalue("database")
    upgrade(db.dsn, db.schema, store_service)
    return PostgresEventStore(db, event_catalogue, Topics(db.schema))
