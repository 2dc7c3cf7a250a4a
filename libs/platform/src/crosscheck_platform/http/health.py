"""Liveness and readiness, for the load balancer and the orchestrator; no auth.

/healthz answers as long as the process serves requests. /readyz runs every readiness
check (database reachable, broker reachable, ...) and answers 503 naming the ones that
failed, so traffic is sent only to replicas that can do their work.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

log = logging.getLogger(__name__)

# True or None means ready; False or an exception means not ready.
ReadinessCheck = Callable[[], Awaitable[bool | None]]

CHECK_TIMEOUT_SECONDS = 3.0

Outcome = Literal["ok", "failed", "timeout"]


class Liveness(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    checks: dict[str, Outcome]


async def _outcome(name: str, check: ReadinessCheck) -> Outcome:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            ready = await check()
    except TimeoutError:
        log.warning("readiness check timed out", extra={"check": name})
        return "timeout"
    except Exception as exc:
        # The reason goes to the log only: /readyz is unauthenticated.
        log.warning("readiness check failed", extra={"check": name, "error": repr(exc)})
        return "failed"
    return "failed" if ready is False else "ok"


def health_router(checks: Mapping[str, ReadinessCheck]) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def healthz() -> Liveness:
        return Liveness(status="ok")

    @router.get(
        "/readyz",
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "A check failed or timed out."}},
    )
    async def readyz() -> JSONResponse:
        names = list(checks)
        outcomes = await asyncio.gather(*(_outcome(n, checks[n]) for n in names))
        ready = all(outcome == "ok" for outcome in outcomes)
        answer = Readiness(
            status="ready" if ready else "not_ready",
            checks=dict(zip(names, outcomes, strict=True)),
        )
        return JSONResponse(answer.model_dump(), status_code=200 if ready else 503)

    return router
