"""Request bodies. Shapes are checked by pydantic; the registry's own rules (phones,
codes, place types) by the domain's value rules, so the API and the import agree."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field

from crosscheck_contracts.events.registry import GeoPoint
from crosscheck_contracts.fields import IdList
from crosscheck_platform.errors import RuleViolation
from crosscheck_registry.domain.values import Invalid

T = TypeVar("T")


def checked(field: str, rule: Callable[[object], T], raw: object) -> T:
    """Apply a value rule; a broken rule is a 422 naming the field."""
    try:
        return rule(raw)
    except Invalid as problem:
        raise RuleViolation(problem.key, field=field, **problem.params) from None


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterTownshipBody(_Body):
    name: str = Field(min_length=1, max_length=100)
    county_name: str = Field(min_length=1, max_length=100)


class RegisterVillageBody(_Body):
    code: str = Field(description="12-digit division code, starting with the township's")
    name: str = Field(min_length=1, max_length=100)


class SiteBody(_Body):
    name: str
    village_id: str = Field(min_length=1, max_length=64)
    site_type: str = Field(description="A SiteType code or its Chinese name, e.g. 小餐饮")
    address: str
    responsible_name: str
    responsible_phone: str | None = None
    location: GeoPoint | None = None


class SitePatchBody(_Body):
    name: str | None = None
    village_id: str | None = Field(default=None, min_length=1, max_length=64)
    site_type: str | None = None
    address: str | None = None
    responsible_name: str | None = None
    responsible_phone: str | None = None
    location: GeoPoint | None = None


class CloseSiteBody(_Body):
    reason: str
    closed_on: date | None = None


class StaffBody(_Body):
    name: str
    unit: str
    is_leadership: bool = False
    home_village_id: str | None = Field(default=None, min_length=1, max_length=64)


class ConflictBody(_Body):
    # The event's own id rules (non-empty, no duplicates), so a bad id is a 422 here
    # rather than an event that cannot be written.
    village_ids: IdList = Field(default_factory=list, max_length=200)
    site_ids: IdList = Field(default_factory=list, max_length=2000)
    staff_ids: IdList = Field(
        default_factory=list,
        max_length=200,
        description="officials of the township never to share an inspection group with "
        "this one (relatives, a chain of command); the relation holds both ways",
    )
    reason: str


class DeactivateBody(_Body):
    reason: str
