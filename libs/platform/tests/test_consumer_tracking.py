"""Event-id tracking on the real database: what a consumer claims is what it applies."""

from __future__ import annotations

import uuid

import pytest

from crosscheck_platform.consumer.tracking import claim_new
from crosscheck_platform.db import Database
from crosscheck_testing.schema import migrated


class RolledBack(Exception):
    pass


async def test_only_events_not_applied_before_are_claimed(database: Database) -> None:
    await migrated(database)
    first, second, third = (uuid.uuid4() for _ in range(3))
    async with database.transaction() as conn:
        # The same event twice in one batch is claimed once.
        assert await claim_new(conn, "ledger", [first, second, first]) == {first, second}
    async with database.transaction() as conn:
        assert await claim_new(conn, "ledger", [second, third, first]) == {third}
        assert await claim_new(conn, "ledger", [third]) == set()
        # Another consumer keeps its own record of the same events.
        assert await claim_new(conn, "notify", [first, third]) == {first, third}
        assert await claim_new(conn, "ledger", []) == set()


async def test_claims_roll_back_with_the_effects(database: Database) -> None:
    await migrated(database)
    event = uuid.uuid4()
    with pytest.raises(RolledBack):
        async with database.transaction() as conn:
            assert await claim_new(conn, "ledger", [event]) == {event}
            raise RolledBack
    async with database.transaction() as conn:
        assert await claim_new(conn, "ledger", [event]) == {event}
