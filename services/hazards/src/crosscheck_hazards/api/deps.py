"""Dependencies shared by the hazards routers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse

from crosscheck_hazards.adapters.inventory import Inventory
from crosscheck_hazards.app.runner import Result
from crosscheck_hazards.app.services import HazardsServices
from crosscheck_platform.auth import Principal, Role
from crosscheck_platform.auth.deps import require_roles
from crosscheck_platform.http import Runtime, ServiceRuntime
from crosscheck_platform.unit_of_work import Executed, IdempotencyKey

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


# Dependencies are coroutines: FastAPI runs plain functions in a worker thread, and
# the hand-off costs more than these do.


async def services_of(request: Request) -> HazardsServices:
    return cast(HazardsServices, request.app.state.hazards)


Services = Annotated[HazardsServices, Depends(services_of)]


async def inventory_of(runtime: Runtime) -> Inventory:
    return Inventory(runtime.database)


InventoryDep = Annotated[Inventory, Depends(inventory_of)]


@dataclass(frozen=True)
class CommandContext:
    """What a command route needs, from one dependency: FastAPI resolves each dependency
    on every request at a cost well above building these few objects."""

    runtime: ServiceRuntime
    services: HazardsServices
    inventory: Inventory


async def command_context_of(request: Request) -> CommandContext:
    runtime = cast(ServiceRuntime, request.app.state.runtime)
    return CommandContext(
        runtime=runtime,
        services=cast(HazardsServices, request.app.state.hazards),
        inventory=Inventory(runtime.database),
    )


Command = Annotated[CommandContext, Depends(command_context_of)]


async def idempotency_of(
    request: Request,
    key: Annotated[
        str | None,
        Header(
            alias=IDEMPOTENCY_HEADER,
            min_length=8,
            max_length=128,
            description="Retries with the same key get the first answer and change nothing.",
        ),
    ] = None,
) -> IdempotencyKey | None:
    if key is None:
        return None
    # Method, path and body: the same key on a different request is refused.
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.url.path}\n".encode())
    digest.update(await request.body())
    return IdempotencyKey(key=key, fingerprint=digest.hexdigest())


IdempotencyDep = Annotated[IdempotencyKey | None, Depends(idempotency_of)]


def answer(executed: Executed[Result], status: int = 200) -> JSONResponse:
    """The command's result; the status is the route's, first attempt or replay."""
    headers = {REPLAYED_HEADER: "true"} if executed.replayed else {}
    return JSONResponse(executed.result, status_code=status, headers=headers)


Inspector = Annotated[
    Principal, Depends(require_roles(Role.INSPECTOR, Role.GROUP_LEADER, Role.TOWNSHIP_ADMIN))
]
OnSiteStaff = Annotated[Principal, Depends(require_roles(Role.INSPECTOR, Role.GROUP_LEADER))]
Reporter = Annotated[
    Principal,
    Depends(
        require_roles(
            Role.VILLAGE_COMMITTEE, Role.INSPECTOR, Role.GROUP_LEADER, Role.TOWNSHIP_ADMIN
        )
    ),
]
Admin = Annotated[Principal, Depends(require_roles(Role.TOWNSHIP_ADMIN))]
