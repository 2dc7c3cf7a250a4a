"""The rectification loop's command handlers through the platform's unit of work, each
test on the in-memory store (no stack) and on PostgreSQL: the same outcome on both,
idempotency keys included."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest

from crosscheck_contracts.envelope import Tenant
from crosscheck_hazards.adapters.blobs import LocalFolderBlobStore
from crosscheck_hazards.adapters.checklist_data import standard_library
from crosscheck_hazards.app.commands import Assign, HazardCommand, Notify, Report
from crosscheck_hazards.app.hazards import act_on_hazard
from crosscheck_hazards.app.runner import Result, run
from crosscheck_hazards.app.services import HazardsServices
from crosscheck_hazards.domain.hazard import Hazard
from crosscheck_platform.auth import Forbidden, Principal, Role
from crosscheck_platform.clock import ManualClock
from crosscheck_platform.errors import DomainError, StateConflict
from crosscheck_platform.eventstore import CommandContext, ConcurrencyConflict, EventStore
from crosscheck_platform.unit_of_work import Executed, IdempotencyKey, KeyReused

from .domain_helpers import POLICY, START, finding

TENANT = Tenant(county="532327", township="532327102")
INSPECTOR = Principal(
    subject="u-1",
    name="王五",
    role=Role.INSPECTOR,
    county=TENANT.county,
    township=TENANT.township,
    staff_id="staff-1",
)


@pytest.fixture
def store_service() -> str:
    return "hazards"


async def found(store: EventStore, hazard_id: str = "hz-1") -> None:
    hazard = Hazard.record(finding(hazard_id=hazard_id))
    expected, events = hazard.collect_pending()
    await store.append(hazard_id, expected, events, CommandContext(tenant=TENANT))


TOLD = Notify("hz-1", by_staff_id="staff-1", told_person_name="李四", signed=True)
SERVICES = HazardsServices(
    clock=ManualClock(START),
    policy=POLICY,
    checklists=standard_library(),
    blobs=LocalFolderBlobStore(Path(tempfile.gettempdir()) / "hazards-commands-evidence"),
)


async def act(
    store: EventStore, command: HazardCommand, key: IdempotencyKey | None = None
) -> Executed[Result]:
    return await run(store, TENANT, act_on_hazard(command, INSPECTOR, SERVICES), key)


async def test_a_command_appends_and_answers_the_hazard(event_store: EventStore) -> None:
    await found(event_store)
    done = await act(event_store, TOLD)
    assert done.result["state"] == "notified" and done.result["version"] == 2
    assert [e.envelope.type.rsplit(".", 1)[-1] for e in done.events] == ["HazardNotified"]
    assert [e.version for e in await event_store.read("hz-1")] == [1, 2]
    with pytest.raises(StateConflict):
        await act(event_store, TOLD)
    assert await event_store.stream_version("hz-1") == 2


async def test_a_retry_with_its_key_gets_the_first_answer(event_store: EventStore) -> None:
    await found(event_store)
    key = IdempotencyKey("notify-hz-1", "POST /v1/hazards/hz-1/notify")
    first = await act(event_store, TOLD, key)
    again = await act(event_store, TOLD, key)
    assert again.replayed and again.result == first.result
    assert await event_store.stream_version("hz-1") == 2
    with pytest.raises(KeyReused):
        await act(event_store, TOLD, IdempotencyKey("notify-hz-1", "another request"))


async def test_two_concurrent_commands_one_wins(event_store: EventStore) -> None:
    await found(event_store)
    results = await asyncio.gather(
        act(event_store, TOLD), act(event_store, TOLD), return_exceptions=True
    )
    assert sum(isinstance(r, Executed) for r in results) == 1
    # The loser lost the race on the stream, or (in memory, run one after the other)
    # found the hazard already notified.
    assert all(isinstance(r, Executed | ConcurrencyConflict | DomainError) for r in results)
    assert await event_store.stream_version("hz-1") == 2


async def test_only_the_supervising_village_reports_the_fix(event_store: EventStore) -> None:
    await found(event_store)
    await act(event_store, TOLD)
    handed = Assign("hz-1", responsible_person_name="李四", supervising_village_id="v-2")
    await act(event_store, handed)
    # The place's own village (v-1) sees the hazard, but v-2 follows the fix up.
    place_village = Principal(
        subject="u-9",
        name="赵村干",
        role=Role.VILLAGE_COMMITTEE,
        county=TENANT.county,
        township=TENANT.township,
        village_id="v-1",
    )
    report = Report("hz-1", note="已整改", village_id="v-1")
    with pytest.raises(Forbidden) as refused:
        await run(event_store, TENANT, act_on_hazard(report, place_village, SERVICES))
    assert refused.value.key == "hazard.not_your_village"
    assert await event_store.stream_version("hz-1") == 3
    done = await run(
        event_store,
        TENANT,
        act_on_hazard(Report("hz-1", note="已整改", village_id="v-2"), INSPECTOR, SERVICES),
    )
    assert done.result["state"] == "reported"
