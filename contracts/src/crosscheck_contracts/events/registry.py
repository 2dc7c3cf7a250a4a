"""Registry events: the base inventory (底数清单) of townships, villages, places and staff."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, ClassVar, Self

from pydantic import Field, model_validator

from crosscheck_contracts.base import BoundedContext, Event, Payload
from crosscheck_contracts.fields import (
    Address,
    CountyCode,
    Id,
    IdList,
    MaskedPhone,
    Name,
    Text,
    TownshipCode,
    VillageCode,
)


class SiteType(StrEnum):
    """Kind of place that must be inspected; the checklist depends on it."""

    ENTERPRISE = "enterprise"  # 企业
    SCHOOL = "school"  # 学校
    SUPERMARKET = "supermarket"  # 超市
    # The "nine small places" (九小场所)
    SMALL_SHOP = "small_shop"
    SMALL_RESTAURANT = "small_restaurant"
    SMALL_HOTEL = "small_hotel"
    SMALL_ENTERTAINMENT = "small_entertainment"
    SMALL_CLINIC = "small_clinic"
    SMALL_SCHOOL = "small_school"
    SMALL_WORKSHOP = "small_workshop"
    SMALL_INTERNET_CAFE = "small_internet_cafe"
    SMALL_BEAUTY_BATH = "small_beauty_bath"
    OTHER = "other"


class GeoPoint(Payload):
    """A WGS 84 position."""

    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)


class _RegistryEvent(Event):
    context: ClassVar[BoundedContext] = BoundedContext.REGISTRY


class TownshipRegistered(_RegistryEvent):
    """A township (乡镇) joined Crosscheck as a tenant."""

    event_type: ClassVar[str] = "crosscheck.registry.TownshipRegistered"
    aggregate_field: ClassVar[str] = "township_code"

    township_code: TownshipCode
    name: Name
    county_code: CountyCode
    county_name: Name


class VillageRegistered(_RegistryEvent):
    """A village committee (村委会) of the township was listed; zones are drawn from them."""

    event_type: ClassVar[str] = "crosscheck.registry.VillageRegistered"
    aggregate_field: ClassVar[str] = "village_id"

    village_id: Id
    code: VillageCode
    """Statistical division code of the village committee."""
    name: Name
    township_code: TownshipCode


class SiteRegistered(_RegistryEvent):
    """A place that must be inspected was added to the base list (底数清单)."""

    event_type: ClassVar[str] = "crosscheck.registry.SiteRegistered"
    aggregate_field: ClassVar[str] = "site_id"

    site_id: Id
    name: Name
    village_id: Id
    """The village committee the place belongs to."""
    site_type: SiteType
    address: Address
    location: GeoPoint | None = None
    responsible_name: Name
    """The place's responsible person (负责人), named in the ledgers."""
    responsible_phone_masked: MaskedPhone | None = None
    """Masked phone of the responsible person; the full number never leaves the registry."""


class SiteUpdated(_RegistryEvent):
    """Facts about a listed place changed; fields left null are unchanged."""

    event_type: ClassVar[str] = "crosscheck.registry.SiteUpdated"
    aggregate_field: ClassVar[str] = "site_id"

    site_id: Id
    name: Name | None = None
    village_id: Id | None = None
    site_type: SiteType | None = None
    address: Address | None = None
    location: GeoPoint | None = None
    responsible_name: Name | None = None
    responsible_phone_masked: MaskedPhone | None = None

    @model_validator(mode="after")
    def _something_changed(self) -> Self:
        changes = (name for name in type(self).model_fields if name != "site_id")
        if all(getattr(self, name) is None for name in changes):
            raise ValueError("SiteUpdated must change at least one field")
        return self


class SiteClosed(_RegistryEvent):
    """A place ceased to exist or to need inspection; it leaves the base list."""

    event_type: ClassVar[str] = "crosscheck.registry.SiteClosed"
    aggregate_field: ClassVar[str] = "site_id"

    site_id: Id
    reason: Text
    closed_on: date


class StaffEnrolled(_RegistryEvent):
    """A township official joined the inspection staff (骨干力量)."""

    event_type: ClassVar[str] = "crosscheck.registry.StaffEnrolled"
    aggregate_field: ClassVar[str] = "staff_id"

    staff_id: Id
    name: Name
    unit: Name
    """The centre, team or office (中心/队/办公室) the official comes from."""
    is_leadership: bool
    """Member of the township's party/government leadership (党政班子成员): may lead a group."""
    home_village_id: Id | None = None
    """The village the official lives in, never to be inspected by them; null = township seat."""


class StaffUpdated(_RegistryEvent):
    """Facts about an official changed (unit, leadership, home village); null fields are
    unchanged. Rotation re-checks recusal and leadership from it."""

    event_type: ClassVar[str] = "crosscheck.registry.StaffUpdated"
    aggregate_field: ClassVar[str] = "staff_id"

    staff_id: Id
    name: Name | None = None
    unit: Name | None = None
    is_leadership: bool | None = None
    home_village_id: Id | None = None
    """The new home village; see `moved_to_township_seat` for moving out of every village."""
    moved_to_township_seat: bool = False
    """True when the official now lives in the township seat (no home village)."""

    @model_validator(mode="after")
    def _something_changed(self) -> Self:
        if self.moved_to_township_seat and self.home_village_id is not None:
            raise ValueError(
                "a new home village and a move to the township seat exclude each other"
            )
        changes = (self.name, self.unit, self.is_leadership, self.home_village_id)
        if all(value is None for value in changes) and not self.moved_to_township_seat:
            raise ValueError("StaffUpdated must change at least one field")
        return self


class StaffConflictDeclared(_RegistryEvent):
    """An official declared relations they must stay apart from (回避): villages or places
    they must not inspect, and other officials they must not share a group with."""

    event_type: ClassVar[str] = "crosscheck.registry.StaffConflictDeclared"
    schema_version: ClassVar[int] = 2
    aggregate_field: ClassVar[str] = "staff_id"

    staff_id: Id
    village_ids: IdList = Field(default_factory=list)
    site_ids: IdList = Field(default_factory=list)
    staff_ids: IdList = Field(default_factory=list)
    """Officials of the same township never to be in one inspection group with this one
    (relatives, a chain of command); the relation holds both ways."""
    reason: Text

    @model_validator(mode="after")
    def _names_something(self) -> Self:
        if not self.village_ids and not self.site_ids and not self.staff_ids:
            raise ValueError("a conflict names at least one village, site or official")
        if self.staff_id in self.staff_ids:
            raise ValueError("an official cannot declare a conflict with themselves")
        return self


def no_staff_named(data: dict[str, Any]) -> dict[str, Any]:
    """Upcaster v1 → v2 of StaffConflictDeclared: v1 named villages and places only."""
    return data | {"staff_ids": []}


class StaffDeactivated(_RegistryEvent):
    """An official left the inspection staff; they are no longer assigned to groups."""

    event_type: ClassVar[str] = "crosscheck.registry.StaffDeactivated"
    aggregate_field: ClassVar[str] = "staff_id"

    staff_id: Id
    reason: Text


EVENTS: tuple[type[Event], ...] = (
    TownshipRegistered,
    VillageRegistered,
    SiteRegistered,
    SiteUpdated,
    SiteClosed,
    StaffEnrolled,
    StaffUpdated,
    StaffConflictDeclared,
    StaffDeactivated,
)
