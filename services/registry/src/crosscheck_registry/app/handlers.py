"""Running commands: build or load the aggregate, let it decide, and let the platform's
unit of work append its events (and keep a place's phone beside them) on the caller's
connection, then update the read model in that same transaction.

Writes to one township are serialised by a transaction-scoped advisory lock: an import
diffs against the state it is about to change, and must not race another writer.
Optimistic concurrency on each stream still guards every append.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import asyncpg

from crosscheck_contracts.base import Event
from crosscheck_platform.db import Connection
from crosscheck_platform.errors import NotFound, StateConflict
from crosscheck_platform.eventstore import (
    Aggregate,
    CommandContext,
    EventStore,
    StoredEvent,
    TableRows,
)
from crosscheck_platform.eventstore.loading import load_aggregate
from crosscheck_platform.unit_of_work import UnitOfWork
from crosscheck_platform.unit_of_work import execute as execute_unit
from crosscheck_registry.adapters.projection import project
from crosscheck_registry.domain.commands import (
    CloseSite,
    Command,
    DeactivateStaff,
    DeclareConflict,
    EnrollStaff,
    RegisterSite,
    RegisterVillage,
    UpdateSite,
    UpdateStaff,
)
from crosscheck_registry.domain.site import Site
from crosscheck_registry.domain.staff import Staff
from crosscheck_registry.domain.township import Village

A = TypeVar("A", bound=Aggregate)

# Unique indexes of the read model -> the message a person reads.
_UNIQUE = {
    "sites_open_name": "registry.site.name_taken",
    "staff_active_name": "registry.staff.name_taken",
    "villages_code_key": "registry.village.code_taken",
    "villages_township_code_name_key": "registry.village.name_taken",
}


async def lock_township(conn: Connection, township: str) -> None:
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('registry:' || $1))", township)


async def load(store: EventStore, kind: type[A], stream_id: str, township: str) -> A:
    """The aggregate as its events left it; another township's aggregate is not found."""
    key = "registry.site.unknown" if kind is Site else "registry.staff.unknown"
    missing = NotFound(key, site_id=stream_id, staff_id=stream_id)
    return (
        await load_aggregate(store, kind, stream_id, missing=missing, township=township)
    ).aggregate


async def _decide(
    store: EventStore, township: str, command: Command
) -> tuple[Aggregate | None, str | None]:
    """The aggregate with its new events pending, and a phone to keep privately."""
    if isinstance(command, RegisterVillage):
        return Village.register(township, command.facts), None
    if isinstance(command, RegisterSite):
        return Site.register(command.site_id, command.facts), command.facts.responsible_phone
    if isinstance(command, UpdateSite | CloseSite):
        site = await load(store, Site, command.site_id, township)
        if isinstance(command, CloseSite):
            site.close(command.reason, command.closed_on)
            return site, None
        changed = site.update(command.changes)
        return (site if changed else None), command.changes.responsible_phone
    if isinstance(command, EnrollStaff):
        staff = Staff.enroll(command.staff_id, command.facts)
        if command.conflict_village_ids or command.conflict_site_ids or command.conflict_staff_ids:
            staff.declare_conflict(
                list(command.conflict_village_ids),
                list(command.conflict_site_ids),
                command.conflict_reason,
                list(command.conflict_staff_ids),
            )
        return staff, None
    staff = await load(store, Staff, command.staff_id, township)
    if isinstance(command, UpdateStaff):
        changed = staff.update(command.facts)
        if command.conflict_village_ids or command.conflict_site_ids or command.conflict_staff_ids:
            changed = (
                staff.declare_conflict(
                    list(command.conflict_village_ids),
                    list(command.conflict_site_ids),
                    command.conflict_reason,
                    list(command.conflict_staff_ids),
                )
                or changed
            )
        return (staff if changed else None), None
    if isinstance(command, DeclareConflict):
        changed = staff.declare_conflict(
            list(command.village_ids),
            list(command.site_ids),
            command.reason,
            list(command.staff_ids),
        )
        return (staff if changed else None), None
    assert isinstance(command, DeactivateStaff)
    staff.deactivate(command.reason)
    return staff, None


async def execute(
    conn: Connection, store: EventStore, context: CommandContext, commands: Sequence[Command]
) -> list[StoredEvent]:
    """Run the commands in order on `conn`; the caller owns the transaction and the lock.
    One unit of work for the whole command list: an import of hundreds of places is one
    write, not a round trip per place."""
    township = context.tenant.township

    async def handler(unit: UnitOfWork) -> None:
        contacts: list[tuple[str, str]] = []
        for command in commands:
            aggregate, phone = await _decide(unit.store, township, command)
            if aggregate is None:
                continue
            # A second command on a stream of the batch decided on the stored state,
            # without the first one's events: the unit of work refuses it (a conflict).
            unit.add(aggregate)
            if phone:
                contacts.append((aggregate.id, phone))
        if contacts:
            unit.write(_contact_rows(contacts))

    stored = (await execute_unit(store, context, handler, connection=conn)).events
    try:
        await project(conn, stored)
    except asyncpg.UniqueViolationError as exc:
        raise _conflict(exc, stored) from exc
    return stored


def _contact_rows(contacts: list[tuple[str, str]]) -> TableRows:
    """Phones of the places' responsible people: kept here, out of the public events."""
    return TableRows(
        "site_contacts",
        ("site_id", "phone"),
        ("text", "text"),
        contacts,
        on_conflict="ON CONFLICT (site_id) DO UPDATE SET phone = excluded.phone",
    )


def _conflict(exc: asyncpg.UniqueViolationError, stored: Sequence[StoredEvent]) -> StateConflict:
    constraint = getattr(exc, "constraint_name", None) or ""
    names: dict[str, Any] = {}
    for item in stored:
        names.update(_names(item.event))
    return StateConflict(_UNIQUE.get(constraint, "state_conflict"), **names)


def _names(event: Event) -> dict[str, Any]:
    fields = {"name", "code"}
    return {key: getattr(event, key) for key in fields if getattr(event, key, None)}
