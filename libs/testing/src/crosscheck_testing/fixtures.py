"""pytest fixtures for tests on the real broker and database.

Each test gets its own PostgreSQL schema and its own topic namespace, so tests never see
each other's data and need no cleanup order. Schemas are dropped after each test; topics of
every namespace handed out are deleted when the session ends, so a developer's broker does
not accumulate thousands of partitions (which makes its restart take minutes).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack

import pytest

from crosscheck_contracts.topics import Topics
from crosscheck_platform.db import Database
from crosscheck_platform.kafka import delete_topics_under, ensure_topics
from crosscheck_testing.infra import IdentityInfra, Infra, InfraUnavailable, locate

TEST_PARTITIONS = 3

_namespaces: list[str] = []
"""Every name handed out this session; services started by tests create topics under it."""


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `infra` every test that reaches the broker or the database through a fixture
    (directly or through `database`, `topics` or any fixture built on `infra`), before
    `-m` selects: `pytest -m "not infra"` then runs without the stack, and a new test
    cannot forget the marker."""
    for item in items:
        if "infra" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.infra)


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    with ExitStack() as stack:
        try:
            found = locate(stack)
        except InfraUnavailable as exc:
            pytest.fail(str(exc), pytrace=False)
        yield found
        if _namespaces:
            asyncio.run(delete_topics_under(found.kafka_bootstrap, [f"{n}." for n in _namespaces]))


@pytest.fixture(scope="session")
def identity(infra: Infra) -> IdentityInfra:
    """The stack's OpenID Connect provider (Keycloak, realm crosscheck)."""
    if infra.identity is None:
        pytest.fail(
            "No identity provider for the tests: run `deploy/stack up` (it starts Keycloak "
            "and writes CROSSCHECK_IDP_* and CROSSCHECK_OIDC_* into deploy/.state/env), "
            "or set those variables.",
            pytrace=False,
        )
    return infra.identity


def new_namespace(prefix: str = "t") -> str:
    """A fresh schema/topic namespace whose topics are deleted when the session ends
    (for module-scoped fixtures, which cannot use `unique_name`)."""
    name = prefix + uuid.uuid4().hex[:12]
    _namespaces.append(name)
    return name


@pytest.fixture
def unique_name() -> str:
    return new_namespace()


@pytest.fixture
async def database(infra: Infra, unique_name: str) -> AsyncIterator[Database]:
    db = await Database.connect(infra.database_url, unique_name, min_size=1, max_size=30)
    try:
        yield db
    finally:
        await db.execute(f"DROP SCHEMA IF EXISTS {db.schema} CASCADE")
        await db.close()


@pytest.fixture
async def topics(infra: Infra, unique_name: str) -> Topics:
    namespaced = Topics(namespace=unique_name)
    # Fewer partitions than production: every test makes its own topics, and 3 are
    # still enough for rebalance tests with two consumers.
    await ensure_topics(infra.kafka_bootstrap, namespaced.all, partitions=TEST_PARTITIONS)
    return namespaced
