"""The tenancy rules as pure functions: a principal, where a piece of data lives, yes or no.

Nothing here knows HTTP or a database; `crosscheck_platform.tenancy` documents the rule
table and `tenancy.deps` applies it to requests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from crosscheck_contracts.envelope import Tenant
from crosscheck_platform.auth.principal import Principal, Role


class Level(StrEnum):
    """Where a piece of data lives, and the unit a role belongs to."""

    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


_TOWNSHIP_CODE = re.compile(r"[0-9]{9}")
COUNTY_CODE_DIGITS: Final = 6


def county_of_township(code: str) -> str | None:
    """The county a township belongs to, read from its code: a 9-digit township code
    extends its county's 6-digit code (the registry refuses a township otherwise), so
    a service that keeps no township register still knows the county. None for a
    string that is no township code (it then belongs to no county)."""
    if not _TOWNSHIP_CODE.fullmatch(code):
        return None
    return code[:COUNTY_CODE_DIGITS]


@dataclass(frozen=True)
class Holding:
    """Where a piece of data lives: its county, its township (None for a county's own
    records) and the villages it concerns (none for a township's own records; a hazard
    concerns its place's village and the village supervising its rectification)."""

    county: str
    township: str | None = None
    villages: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, tenant: Tenant, *villages: str | None) -> Holding:
        """Data of a known tenant (as stored with it), concerning `villages`."""
        return cls(tenant.county, tenant.township, frozenset(v for v in villages if v))

    @classmethod
    def of_township(cls, code: str, *villages: str | None) -> Holding:
        """Data of the township named by a request (a path or a query), whose county is
        read from its code: a code of another county is out of scope even where the
        service holds nothing of that township."""
        return cls(county_of_township(code) or "", code, frozenset(v for v in villages if v))

    @property
    def level(self) -> Level:
        if self.township is None:
            return Level.COUNTY
        return Level.VILLAGE if self.villages else Level.TOWNSHIP


@dataclass(frozen=True)
class Reach:
    """One row of the rule table: the unit a role belongs to (its home: the principal's
    county, township or village) and the levels of data it may change inside it."""

    home: Level
    writes: frozenset[Level]


_TOWNSHIP_STAFF = Reach(Level.TOWNSHIP, frozenset({Level.TOWNSHIP, Level.VILLAGE}))

REACH: Final[Mapping[Role, Reach]] = MappingProxyType(
    {
        Role.COUNTY_ADMIN: Reach(Level.COUNTY, frozenset({Level.COUNTY})),
        Role.COUNTY_VIEWER: Reach(Level.COUNTY, frozenset()),
        Role.TOWNSHIP_ADMIN: _TOWNSHIP_STAFF,
        Role.GROUP_LEADER: _TOWNSHIP_STAFF,
        Role.INSPECTOR: _TOWNSHIP_STAFF,
        Role.VILLAGE_COMMITTEE: Reach(Level.VILLAGE, frozenset({Level.VILLAGE})),
    }
)


def reach_of(principal: Principal) -> Reach:
    return REACH[principal.role]


def may_read(principal: Principal, holding: Holding) -> bool:
    """Whether the data lies inside the principal's home: its county, its township,
    or (for a village role) data concerning its own village."""
    if holding.county != principal.county:
        return False
    home = reach_of(principal).home
    if home is Level.COUNTY:
        return True
    if holding.township is None or holding.township != principal.township:
        return False
    if home is Level.TOWNSHIP:
        return True
    return principal.village_id is not None and principal.village_id in holding.villages


def may_write(principal: Principal, holding: Holding) -> bool:
    """Whether the principal may change the data: it reads it, and the rule table lets
    its role change data of that level."""
    return may_read(principal, holding) and holding.level in reach_of(principal).writes
