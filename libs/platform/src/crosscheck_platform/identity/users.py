"""Logins as Crosscheck provisions them: who, with which one role, scoped to where.

The realm file (deploy/keycloak/crosscheck-realm.json) declares the same roles and the
four scope attributes; only administrators (and so the registry's service account) may
change those attributes, and the access token carries them as string claims.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class RealmRole(StrEnum):
    TOWNSHIP_ADMIN = "township_admin"
    GROUP_LEADER = "group_leader"
    INSPECTOR = "inspector"
    VILLAGE_COMMITTEE = "village_committee"
    COUNTY_VIEWER = "county_viewer"
    COUNTY_ADMIN = "county_admin"


SCOPE_ATTRIBUTES = ("county", "township", "village_id", "staff_id")
"""User attributes that become access-token claims of the same names."""

_Scope = Field(default=None, min_length=1, max_length=64, pattern=r"^\S+$")


class UserSpec(BaseModel):
    """What a login should be. The username may be a phone number; names are given either
    as one display name (kept as the first name, so the token's `name` is exactly it) or
    as first and last name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    username: str = Field(min_length=3, max_length=255)
    role: RealmRole
    display_name: str | None = Field(default=None, min_length=1, max_length=255)
    first_name: str | None = Field(default=None, min_length=1, max_length=255)
    last_name: str | None = Field(default=None, min_length=1, max_length=255)
    email: str | None = Field(default=None, max_length=255)
    county: str | None = _Scope
    township: str | None = _Scope
    village_id: str | None = _Scope
    staff_id: str | None = _Scope
    enabled: bool = True

    @field_validator("username")
    @classmethod
    def _as_keycloak_keeps_it(cls, value: str) -> str:
        # Keycloak stores usernames in lower case; so do we, so that look-ups match.
        value = value.strip().lower()
        if not value or any(c.isspace() for c in value):
            raise ValueError("a username has no spaces")
        return value

    @model_validator(mode="after")
    def _one_way_of_naming(self) -> UserSpec:
        if self.display_name is not None and (self.first_name or self.last_name):
            raise ValueError("give either display_name or first_name/last_name, not both")
        if self.display_name is None and not (self.first_name or self.last_name):
            raise ValueError("a login needs a display name or a first or last name")
        return self

    def attributes(self) -> dict[str, list[str]]:
        """Every scope attribute, empty when unset, so an update also removes what no
        longer applies (a village id after a change of role)."""
        return {name: [v] if (v := getattr(self, name)) else [] for name in SCOPE_ATTRIBUTES}

    def apply_to(self, representation: dict[str, Any]) -> dict[str, Any]:
        """Keycloak's UserRepresentation with this spec's fields laid over it."""
        first = self.display_name if self.display_name is not None else self.first_name
        last = None if self.display_name is not None else self.last_name
        return {
            **representation,
            "username": self.username,
            "enabled": self.enabled,
            "firstName": first or "",
            "lastName": last or "",
            "email": self.email or "",
            "attributes": {**(representation.get("attributes") or {}), **self.attributes()},
        }


class IdentityUser(BaseModel):
    """A login as the provider has it."""

    model_config = ConfigDict(frozen=True)

    id: str
    username: str
    enabled: bool
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    county: str | None = None
    township: str | None = None
    village_id: str | None = None
    staff_id: str | None = None
    roles: frozenset[RealmRole] = frozenset()
    required_actions: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        return " ".join(n for n in (self.first_name, self.last_name) if n)

    @property
    def role(self) -> RealmRole | None:
        """The one Crosscheck role, when there is exactly one."""
        return next(iter(self.roles)) if len(self.roles) == 1 else None

    @classmethod
    def from_representation(cls, rep: dict[str, Any], roles: frozenset[RealmRole]) -> IdentityUser:
        attributes: dict[str, list[str]] = rep.get("attributes") or {}

        def first(name: str) -> str | None:
            return next(iter(attributes.get(name) or ()), None)

        return cls(
            id=rep["id"],
            username=rep["username"],
            enabled=bool(rep.get("enabled", False)),
            first_name=rep.get("firstName") or None,
            last_name=rep.get("lastName") or None,
            email=rep.get("email") or None,
            roles=roles,
            required_actions=tuple(rep.get("requiredActions") or ()),
            county=first("county"),
            township=first("township"),
            village_id=first("village_id"),
            staff_id=first("staff_id"),
        )
