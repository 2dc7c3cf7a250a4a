"""Who is asking: a user, their role and the county, township or village they act for.

What that lets them see and change is decided in `crosscheck_platform.tenancy`.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crosscheck_contracts.envelope import Tenant


class Role(StrEnum):
    TOWNSHIP_ADMIN = "township_admin"
    GROUP_LEADER = "group_leader"
    INSPECTOR = "inspector"
    VILLAGE_COMMITTEE = "village_committee"
    COUNTY_VIEWER = "county_viewer"
    # Runs county-level work (cross-township campaigns); reads every township of its county.
    COUNTY_ADMIN = "county_admin"


# Roles whose scope is a whole county rather than one township.
COUNTY_ROLES = frozenset({Role.COUNTY_VIEWER, Role.COUNTY_ADMIN})


class Principal(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=128)
    # The login name at the identity provider (may be a phone number), when it sends one.
    username: str | None = Field(default=None, min_length=1, max_length=128)
    role: Role
    county: str = Field(min_length=1, max_length=32)
    township: str | None = Field(default=None, min_length=1, max_length=32)
    # A village committee member acts for one village committee (the zone).
    village_id: str | None = Field(default=None, min_length=1, max_length=64)
    # The registry's staff record, for users who inspect (recusal rules key on it).
    staff_id: str | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _scope_matches_role(self) -> Principal:
        if self.role in COUNTY_ROLES and self.township is not None:
            raise ValueError(f"{self.role} is county-scoped and takes no township")
        if self.role not in COUNTY_ROLES and self.township is None:
            raise ValueError(f"{self.role} needs a township")
        if self.role is Role.VILLAGE_COMMITTEE and self.village_id is None:
            raise ValueError("village_committee needs a village_id")
        return self

    @property
    def tenant(self) -> Tenant | None:
        """The township this principal acts for; None for county-scoped roles."""
        if self.township is None:
            return None
        return Tenant(county=self.county, township=self.township)
