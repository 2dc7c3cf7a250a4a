"""Commands on one hazard: load it, let the state machine decide, append, re-index."""

from __future__ import annotations

from crosscheck_contracts.envelope import Tenant
from crosscheck_hazards.adapters.evidence_index import citation_rows
from crosscheck_hazards.adapters.hazard_index import hazard_rows
from crosscheck_hazards.app.actors import step_actor
from crosscheck_hazards.app.commands import HazardCommand, cited, perform
from crosscheck_hazards.app.loading import load
from crosscheck_hazards.app.runner import Result
from crosscheck_hazards.app.services import HazardsServices
from crosscheck_hazards.app.views import hazard_view
from crosscheck_hazards.domain.hazard import Hazard
from crosscheck_platform.auth import Principal
from crosscheck_platform.eventstore import EventStore
from crosscheck_platform.unit_of_work import Handler, UnitOfWork


def hazard_villages(hazard: Hazard) -> tuple[str | None, ...]:
    """The villages a hazard concerns: its place's, and the one supervising the fix
    (who reports it done), when that is another."""
    found = hazard.found
    return (found.village_id if found else None, hazard.supervising_village_id)


async def load_hazard(
    store: EventStore, hazard_id: str, principal: Principal, *, write: bool
) -> tuple[Hazard, Tenant]:
    return await load(
        store,
        Hazard,
        hazard_id,
        principal,
        write=write,
        missing="hazard.not_found",
        villages=hazard_villages,
    )


def act_on_hazard(
    command: HazardCommand, principal: Principal, services: HazardsServices
) -> Handler[Result]:
    """The handler of `command`: the hazard as its events left it, the command applied
    by its state machine, the index and the evidence it cites (readable from then on by
    the hazard's villages, as is the evidence of its finding should the supervising
    village change) written with its events."""

    async def decide(unit: UnitOfWork) -> Result:
        hazard, tenant = await load_hazard(unit.store, command.hazard_id, principal, write=True)
        at = services.clock()
        perform(hazard, command, at=at, policy=services.policy, by=step_actor(principal))
        found = hazard.found.evidence_ids if hazard.found else ()
        unit.add(hazard)
        unit.write(
            hazard_rows(tenant, [hazard]),
            *citation_rows(tenant, [*found, *cited(command)], hazard_villages(hazard)),
        )
        return hazard_view(hazard)

    return decide
