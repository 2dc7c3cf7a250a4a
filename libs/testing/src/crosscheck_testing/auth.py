"""Bearer headers for tests that call a service's HTTP API as a given role."""

from __future__ import annotations

from datetime import timedelta

from crosscheck_platform.auth.principal import COUNTY_ROLES, Principal, Role
from crosscheck_testing.issuer import LocalIssuer


def principal_for(
    role: Role,
    *,
    county: str,
    township: str | None,
    village_id: str | None = None,
    staff_id: str | None = None,
) -> Principal:
    """A principal of `role`; a county role carries no township and only a village
    committee carries a village, as real tokens do."""
    return Principal(
        subject=f"{role.value}-{township}",
        name="测试用户",
        role=role,
        county=county,
        township=None if role in COUNTY_ROLES else township,
        village_id=village_id if role is Role.VILLAGE_COMMITTEE else None,
        staff_id=staff_id,
    )


def bearer(
    issuer: LocalIssuer,
    role: Role,
    *,
    county: str,
    township: str | None,
    village_id: str | None = None,
    staff_id: str | None = None,
    ttl: timedelta = timedelta(hours=1),
) -> dict[str, str]:
    """The Authorization header of a fresh token from the test issuer."""
    principal = principal_for(
        role, county=county, township=township, village_id=village_id, staff_id=staff_id
    )
    return issuer.bearer(principal, ttl)
