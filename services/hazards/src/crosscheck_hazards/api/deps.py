"""Dependencies shared by the hazards routers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse

from crosscheck_hazards.adapters.inventory import Inventory
from crosscheck_hazards.app.runner import Answer, CommandRunner
from crosscheck_hazards.app.services import HazardsServices
from crosscheck_platform.auth import Principal, Role
from crosscheck_platform.auth.deps import require_roles
from crosscheck_platform.http import Runtime, ServiceRuntime

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


# Dependencies are coroutines: FastAPI runs plain functions in a worker thread, and
# the hand-off costs more than these do.


async def services_of(request: Request) -> HazardsServices:
    return cast(HazardsServices, request.app.state.hazards)


Services = Annotated[HazardsServices, Depends(services_of)]


async def runner_of(runtime: Runtime) -> CommandRunner:
    return CommandRunner(runtime.database, runtime.writes)


Runner = Annotated[CommandRunner, Depends(runner_of)]


async def inventory_of(runtime: Runtime) -> Inventory:
    return Inventory(runtime.database)


InventoryDep = Annotated[Inventory, Depends(inventory_of)]


@dataclass(frozen=True)
class CommandContext:
    """What a command route needs, from one dependency: FastAPI resolves each dependency
    on every request at a cost well above building these few objects."""

    runtime: ServiceRuntime
    services: HazardsServices
    runner: CommandRunner
    inventory: Inventory


async def command_context_of(request: Request) -> CommandContext:
    runtime = cast(ServiceRuntime, request.app.state.runtime)
    return CommandContext(
        runtime=runtime,
        services=cast(HazardsServices, request.app.state.hazards),
        runner=CommandRunner(runtime.database, runtime.writes),
        inventory=Inventory(runtime.database),
    )


Command = Annotated[CommandContext, Depends(command_context_of)]


@dataclass(frozen=True)
class Idempotency:
    key: str | None
    fingerprint: str


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
) -> Idempotency:
    if key is None:
        return Idempotency(key=None, fingerprint="")
    # Method, path and body: the same key on a different request is refused.
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.url.path}\n".encode())
    digest.update(await request.body())
    return Idempotency(key=key, fingerprint=digest.hexdigest())


IdempotencyDep = Annotated[Idempotency, Depends(idempotency_of)]


def answer(result: Answer) -> JSONResponse:
    headers = {REPLAYED_HEADER: "true"} if result.replayed else {}
    return JSONResponse(result.body, status_code=result.status, headers=headers)


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
