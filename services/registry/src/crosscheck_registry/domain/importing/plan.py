"""The import as one pure function: an upload and the township's state in, a plan out.

Sheets are planned in dependency order: villages first (places name them), places next
(staff conflicts name them). Only valid rows produce commands, so the plan can be
applied with its bad rows skipped, or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from crosscheck_registry.domain.importing.index import SiteIndex, VillageIndex
from crosscheck_registry.domain.importing.report import ImportPlan
from crosscheck_registry.domain.importing.sites import plan_sites
from crosscheck_registry.domain.importing.staff import plan_staff
from crosscheck_registry.domain.importing.tables import TableKind, Upload
from crosscheck_registry.domain.importing.villages import plan_villages
from crosscheck_registry.domain.state import TownshipState


def new_uuid() -> str:
    return str(uuid.uuid4())


def plan_import(
    upload: Upload,
    state: TownshipState,
    *,
    today: date,
    close_missing: bool = False,
    new_id: Callable[[], str] = new_uuid,
) -> ImportPlan:
    plan = ImportPlan(errors=list(upload.issues))
    by_kind = {kind: [t for t in upload.tables if t.kind is kind] for kind in TableKind}
    villages = VillageIndex(state.villages)
    plan_villages(plan, by_kind[TableKind.VILLAGES], state.code, villages)
    sites = SiteIndex(villages)
    for record in state.sites:
        sites.add_record(record)
    plan_sites(
        plan,
        by_kind[TableKind.SITES],
        state.sites,
        villages,
        sites,
        new_id=new_id,
        close_missing=close_missing,
        today=today,
    )
    plan_staff(
        plan,
        by_kind[TableKind.STAFF],
        state.staff,
        villages,
        sites,
        new_id=new_id,
        close_missing=close_missing,
    )
    return plan
