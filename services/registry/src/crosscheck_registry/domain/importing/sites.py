"""Planning the places sheet (底数清单) against the township's current places."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from crosscheck_registry.domain import values
from crosscheck_registry.domain.commands import CloseSite, RegisterSite, UpdateSite
from crosscheck_registry.domain.importing.cells import Cells
from crosscheck_registry.domain.importing.index import SiteIndex, SiteRef, VillageIndex
from crosscheck_registry.domain.importing.report import Entry, ImportPlan
from crosscheck_registry.domain.importing.tables import Table
from crosscheck_registry.domain.site import SiteChanges, SiteFacts
from crosscheck_registry.domain.state import SiteRecord

CLOSE_REASON = "导入的底数清单中已无此场所"

# Report column -> SiteFacts field, for the facts an import may change.
_COMPARED = {
    "场所类型": "site_type",
    "地址": "address",
    "负责人": "responsible_name",
    "经纬度": "location",
}


def _read_site(cells: Cells, villages: VillageIndex) -> SiteFacts | None:
    name = cells.read("场所名称", values.name)
    village_id: str | None = None
    if cells.blank("所属村委会"):
        cells.fail("所属村委会", "registry.value.required")
    else:
        village = villages.find(cells.text("所属村委会"))
        if village is None:
            cells.fail(
                "所属村委会", "registry.import.unknown_village", value=cells.text("所属村委会")
            )
        else:
            village_id = village.id
    site_type = cells.read("场所类型", values.site_type)
    address = cells.read("地址", values.address)
    responsible = cells.read("负责人", values.name)
    phone = cells.optional("联系电话", values.phone)
    location = cells.location()
    if cells.failed:
        return None
    assert name and village_id and site_type and address and responsible
    return SiteFacts(name, village_id, site_type, address, responsible, phone, location)


def _changes(old: SiteFacts, new: SiteFacts) -> tuple[SiteChanges, dict[str, tuple[Any, Any]]]:
    """Blank phone or location cells leave the registered ones as they are."""
    shown: dict[str, tuple[Any, Any]] = {}
    wanted: dict[str, Any] = {}
    for column, field in _COMPARED.items():
        before, after = getattr(old, field), getattr(new, field)
        if after is not None and before != after:
            wanted[field] = after
            shown[column] = (_shown(before), _shown(after))
    if new.responsible_phone and new.responsible_phone != old.responsible_phone:
        wanted["responsible_phone"] = new.responsible_phone
        masked = [
            values.mask_phone(p) if p else None
            for p in (old.responsible_phone, new.responsible_phone)
        ]
        shown["联系电话"] = (masked[0], masked[1])
    return SiteChanges(**wanted), shown


def _shown(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if hasattr(value, "lat"):
        return f"{value.lon},{value.lat}"
    return values.SITE_TYPE_LABELS.get(value, str(value))


def plan_sites(
    plan: ImportPlan,
    tables: list[Table],
    current: list[SiteRecord],
    villages: VillageIndex,
    sites: SiteIndex,
    *,
    new_id: Callable[[], str],
    close_missing: bool,
    today: date,
) -> None:
    """Add the places' entries and commands to `plan`; index new places in `sites`.
    Without a places sheet in the upload, nothing is compared (and nothing is missing)."""
    if not tables:
        return
    active = {(r.facts.village_id, r.facts.name): r for r in current if r.active}
    seen: dict[tuple[str, str], int] = {}
    section = plan.sites
    errors_before = len(plan.errors)
    for table in tables:
        for row in table.rows:
            section.rows += 1
            cells = Cells(table.sheet, row, plan.errors)
            facts = _read_site(cells, villages)
            if facts is None:
                continue
            key = (facts.village_id, facts.name)
            if key in seen:
                cells.fail(
                    "场所名称",
                    "registry.import.duplicate_site",
                    name=facts.name,
                    village=villages.name_of(facts.village_id),
                    first_row=seen[key],
                )
                continue
            seen[key] = row.number
            village = villages.name_of(facts.village_id)
            existing = active.get(key)
            if existing is None:
                site_id = new_id()
                plan.commands.append(RegisterSite(site_id, facts))
                sites.add(SiteRef(site_id, facts.village_id, facts.name))
                section.new.append(Entry(table.sheet, row.number, facts.name, village))
                continue
            changes, shown = _changes(existing.facts, facts)
            if shown:
                plan.commands.append(UpdateSite(existing.id, changes))
                section.updated.append(Entry(table.sheet, row.number, facts.name, village, shown))
            else:
                section.unchanged += 1
    closing = close_missing and len(plan.errors) == errors_before
    for key, record in active.items():
        if key in seen:
            continue
        entry = Entry("", None, record.facts.name, villages.name_of(record.facts.village_id))
        if closing:
            plan.commands.append(CloseSite(record.id, CLOSE_REASON, today))
            section.removed.append(entry)
        else:
            section.missing.append(entry)
