"""The township's presence rule (到场核验): how far from a place its evidence may be
taken, and whether the verification of a major hazard requires presence."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from crosscheck_hazards.adapters import presence
from crosscheck_hazards.api.deps import Admin, Services
from crosscheck_hazards.domain.presence import DEFAULT_RADIUS_M, PresenceRule
from crosscheck_platform.auth.deps import CurrentPrincipal
from crosscheck_platform.http import Runtime
from crosscheck_platform.tenancy import acting_tenant


class PresenceRuleBody(BaseModel):
    radius_m: int = Field(
        DEFAULT_RADIUS_M,
        ge=10,
        le=100_000,
        description="evidence taken farther from the place than this is flagged",
    )
    required_for_major: bool = Field(
        False,
        description="refuse to verify a major hazard whose evidence is flagged",
    )


router = APIRouter(prefix="/v1/presence-rule", tags=["presence"])


@router.get("")
async def get_rule(principal: CurrentPrincipal, runtime: Runtime) -> PresenceRuleBody:
    rule = await presence.rule_of(runtime.database, acting_tenant(principal).township)
    return PresenceRuleBody(radius_m=rule.radius_m, required_for_major=rule.required_for_major)


@router.put("")
async def set_rule(
    body: PresenceRuleBody, principal: Admin, runtime: Runtime, services: Services
) -> PresenceRuleBody:
    """Applies to the steps recorded from now on; each step records the rule it met."""
    township = acting_tenant(principal).township
    rule = PresenceRule(body.radius_m, body.required_for_major)
    await presence.set_rule(runtime.database, township, rule, services.clock())
    return body
