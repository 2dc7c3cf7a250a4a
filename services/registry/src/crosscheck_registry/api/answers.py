"""What the registry's read operations answer, as the OpenAPI documents show them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class Township(BaseModel):
    code: str = Field(description="the township's 9-digit administrative code")
    name: str
    county_code: str
    county_name: str


class Village(BaseModel):
    id: str
    code: str = Field(description="the village committee's 12-digit administrative code")
    name: str
    active_sites: int = Field(description="open places on the base inventory")


class Site(BaseModel):
    """A place (场所) on the base inventory."""

    id: str
    name: str
    village_id: str
    village_name: str
    site_type: str
    address: str
    lat: float | None
    lon: float | None
    responsible_name: str
    responsible_phone_masked: str | None = Field(description="e.g. 138****5678")
    active: bool
    closed_on: date | None
    close_reason: str | None
    version: int


class SiteRecord(Site):
    responsible_phone: str | None = Field(
        default=None, description="the full number: for the township's admin only, else null"
    )


class ListedSite(Site):
    responsible_phone: str | None = Field(
        default=None, description="the full number: for the township's admin only, else null"
    )


class SitePage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ListedSite]


class StaffMember(BaseModel):
    """An official on the inspection roster (检查人员)."""

    id: str
    name: str
    unit: str
    is_leadership: bool = Field(description="a leadership member, who may lead a group")
    home_village_id: str | None
    conflict_village_ids: list[str] = Field(description="villages to stay out of (回避)")
    conflict_site_ids: list[str] = Field(description="places to stay out of (回避)")
    conflict_staff_ids: list[str] = Field(
        description="officials never to share an inspection group with (回避, both ways)"
    )
    active: bool
    version: int


class StaffRecord(StaffMember):
    township_code: str
    county_code: str


class StaffPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[StaffMember]
