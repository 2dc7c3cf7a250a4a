"""Loading aggregates for a caller: the tenant of a stream decides who may see it."""

from __future__ import annotations

from typing import TypeVar

from crosscheck_contracts.envelope import Tenant
from crosscheck_hazards.domain.assignment import Actor
from crosscheck_platform.auth import Forbidden, Principal, Role
from crosscheck_platform.auth.deps import authorize_tenant
from crosscheck_platform.errors import NotFound
from crosscheck_platform.eventstore import Aggregate
from crosscheck_platform.eventstore.postgres import PostgresEventStore
from crosscheck_platform.i18n import register

A = TypeVar("A", bound=Aggregate)

register(
    {
        "hazard.not_found": ("未找到该隐患", "No such hazard."),
        "inspection.not_found": ("未找到该检查记录", "No such inspection."),
    }
)


def actor_of(principal: Principal) -> Actor:
    return Actor(
        user_id=principal.subject,
        staff_id=principal.staff_id,
        is_admin=principal.role is Role.TOWNSHIP_ADMIN,
        village_id=principal.village_id,
    )


def write_tenant(principal: Principal) -> Tenant:
    """The township a principal changes data in (county viewers change nothing)."""
    tenant = principal.tenant
    if tenant is None or not principal.can_write(tenant):
        raise Forbidden("forbidden.read_only", township=principal.county)
    return tenant


async def load(
    store: PostgresEventStore,
    kind: type[A],
    stream_id: str,
    principal: Principal,
    *,
    write: bool,
    missing: str,
) -> tuple[A, Tenant]:
    history = await store.read(stream_id)
    if not history:
        raise NotFound(missing, id=stream_id)
    tenant = history[0].envelope.tenant
    if not principal.can_read(tenant):
        raise NotFound(missing, id=stream_id)  # other townships' ids are not confirmed
    authorize_tenant(principal, tenant, write=write)
    return kind.rehydrate(stream_id, (e.event for e in history)), tenant
