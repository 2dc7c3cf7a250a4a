"""What the rotation has learnt of a township's roster from the registry's events, so
a caller that has just imported the inventory can tell when a launch would see all of it."""

from __future__ import annotations

from fastapi import APIRouter

from crosscheck_rotation.api.answers import RosterCounts
from crosscheck_rotation.api.campaigns import Readers, RosterDep

router = APIRouter(prefix="/v1/townships/{code}/roster", tags=["roster"])


@router.get("", response_model=RosterCounts)
async def counts(scope: Readers, roster: RosterDep) -> object:
    """Open places, active staff and staff with declared conflicts, as known here."""
    code = scope.township
    sites = await roster.open_sites(code)
    staff = await roster.staff(code, active_only=True)
    names = await roster.township_names(scope.tenant.county)
    return {
        "township": code,
        "name": names.get(code),
        "sites": len(sites),
        "staff": len(staff),
        "staff_with_conflicts": sum(
            bool(s.conflict_village_ids or s.conflict_site_ids or s.conflict_staff_ids)
            for s in staff.values()
        ),
    }
