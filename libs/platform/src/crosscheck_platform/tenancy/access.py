"""Applying the rules: raise when a principal reaches for data outside its scope, and
the scope a list may show."""

from __future__ import annotations

from dataclasses import dataclass

from crosscheck_contracts.envelope import Tenant
from crosscheck_platform.auth.principal import Principal
from crosscheck_platform.tenancy.errors import OutOfScope, ReadOnly
from crosscheck_platform.tenancy.rules import Holding, Level, may_read, may_write, reach_of


def authorize(principal: Principal, holding: Holding, *, write: bool = False) -> None:
    """OutOfScope unless the principal reads the data; ReadOnly if it must change it
    and may not."""
    if not may_read(principal, holding):
        raise OutOfScope()
    if write and not may_write(principal, holding):
        raise ReadOnly()


def own_village(principal: Principal) -> str | None:
    """The one village a village role sees; None for roles that see whole townships."""
    return principal.village_id if reach_of(principal).home is Level.VILLAGE else None


def acting_tenant(principal: Principal) -> Tenant:
    """The township a township or village role records data in; county roles record
    none of a township's data (ReadOnly)."""
    tenant = principal.tenant
    if tenant is None:
        raise ReadOnly()
    return tenant


@dataclass(frozen=True)
class Reading:
    """What a list may show: one county, one township of it or all (None), one village
    or all (None). Queries filter on every field that is set."""

    county: str
    township: str | None = None
    village_id: str | None = None


def reading(
    principal: Principal, *, township: str | None = None, village_id: str | None = None
) -> Reading:
    """The scope of a list the principal asked for, narrowed to its reach: township
    roles read their own township, village roles their own village. Asking for a
    township or village outside it is OutOfScope, never an empty list."""
    mine = own_village(principal)
    if mine is not None and village_id not in (None, mine):
        raise OutOfScope()
    township = township or principal.township
    village = village_id or mine
    if township is None:
        holding = Holding(principal.county)  # a county role over its whole county
    else:
        holding = Holding.of_township(township, village)
    authorize(principal, holding)
    return Reading(holding.county, township, village)
