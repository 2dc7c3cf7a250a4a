"""Commands on one hazard: load it, let the state machine decide, append, re-index."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from crosscheck_contracts.envelope import Tenant
from crosscheck_hazards.adapters.hazard_index import hazard_rows
from crosscheck_hazards.app.access import load
from crosscheck_hazards.app.runner import Outcome
from crosscheck_hazards.app.views import hazard_view
from crosscheck_hazards.domain.hazard import Hazard
from crosscheck_platform.auth import Principal
from crosscheck_platform.eventstore.postgres import PostgresEventStore

HazardAction = Callable[[Hazard], None]
"""What to do to the loaded hazard (it raises when the state or a rule forbids it)."""


async def load_hazard(
    store: PostgresEventStore, hazard_id: str, principal: Principal, *, write: bool
) -> tuple[Hazard, Tenant]:
    return await load(store, Hazard, hazard_id, principal, write=write, missing="hazard.not_found")


def act_on_hazard(
    store: PostgresEventStore,
    hazard_id: str,
    principal: Principal,
    action: HazardAction,
) -> Callable[[], Awaitable[Outcome]]:
    async def decide() -> Outcome:
        hazard, tenant = await load_hazard(store, hazard_id, principal, write=True)
        action(hazard)
        return Outcome(
            aggregates=[hazard], body=hazard_view(hazard), rows=[hazard_rows(tenant, [hazard])]
        )

    return decide
