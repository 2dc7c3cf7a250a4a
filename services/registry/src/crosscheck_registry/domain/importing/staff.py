"""Planning the staff roster (花名册) against the township's current staff.

Staff are matched by name among the active staff of the township. A changed unit,
leadership or home village becomes a StaffUpdated. Declared conflicts only accumulate:
one the file no longer lists is kept, and a notice says so. 回避人员 names the officials
a person must never share an inspection group with (relatives, a chain of command):
people of the same file or already on the staff, by name; a name that is neither is an
error at that cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crosscheck_registry.domain import values
from crosscheck_registry.domain.commands import DeactivateStaff, EnrollStaff, UpdateStaff
from crosscheck_registry.domain.importing.cells import Cells
from crosscheck_registry.domain.importing.index import SiteIndex, VillageIndex
from crosscheck_registry.domain.importing.issues import Issue
from crosscheck_registry.domain.importing.report import Entry, ImportPlan
from crosscheck_registry.domain.importing.tables import Table
from crosscheck_registry.domain.staff import StaffFacts
from crosscheck_registry.domain.state import StaffRecord

CONFLICT_REASON = "花名册登记的回避关系"
APART = "回避人员"
"""The column naming the officials a person must not share an inspection group with."""
DEACTIVATE_REASON = "导入的人员名单中已无此人"


def _village_ids(cells: Cells, column: str, villages: VillageIndex) -> list[str]:
    found = []
    for written in values.name_list(cells.row.get(column)):
        village = villages.find(written)
        if village is None:
            cells.fail(column, "registry.import.unknown_village", value=written)
        else:
            found.append(village.id)
    return found


def _site_ids(cells: Cells, sites: SiteIndex) -> list[str]:
    found = []
    for written in values.name_list(cells.row.get("回避场所")):
        ref, problem = sites.find(written)
        if ref is None:
            cells.fail("回避场所", problem or "registry.import.unknown_site", value=written)
        else:
            found.append(ref.id)
    return found


def _read_staff(
    cells: Cells, villages: VillageIndex, sites: SiteIndex
) -> tuple[StaffFacts, list[str], list[str], str] | None:
    name = cells.read("姓名", values.name)
    unit = cells.read("单位", values.name)
    leadership = cells.read("是否班子成员", values.yes_no)
    home: str | None = None
    if not cells.blank("居住村"):
        village = villages.find(cells.text("居住村"))
        if village is None:
            cells.fail("居住村", "registry.import.unknown_village", value=cells.text("居住村"))
        else:
            home = village.id
    conflict_villages = _village_ids(cells, "回避村", villages)
    conflict_sites = _site_ids(cells, sites)
    reason = cells.optional("回避原因", values.text) or CONFLICT_REASON
    if cells.failed:
        return None
    assert name and unit and leadership is not None
    return StaffFacts(name, unit, leadership, home), conflict_villages, conflict_sites, reason


_FIELDS = {"单位": "unit", "是否班子成员": "is_leadership", "居住村": "home_village_id"}


@dataclass(frozen=True)
class _StaffRow:
    """A row read without error, with the id its person has or will have."""

    cells: Cells
    facts: StaffFacts
    conflict_villages: list[str]
    conflict_sites: list[str]
    reason: str
    staff_id: str
    existing: StaffRecord | None


def _apart_ids(cells: Cells, name: str, ids: dict[str, str]) -> list[str]:
    """The officials the row's 回避人员 names: people of the file or on the staff."""
    found = []
    for written in values.name_list(cells.row.get(APART)):
        if written == name:
            cells.fail(APART, "registry.import.conflict_self", name=name)
        elif written not in ids:
            cells.fail(APART, "registry.import.unknown_staff", value=written)
        else:
            found.append(ids[written])
    return list(dict.fromkeys(found))


def plan_staff(
    plan: ImportPlan,
    tables: list[Table],
    current: list[StaffRecord],
    villages: VillageIndex,
    sites: SiteIndex,
    *,
    new_id: Callable[[], str],
    close_missing: bool,
) -> None:
    if not tables:
        return
    active = {r.facts.name: r for r in current if r.active}
    seen: dict[str, int] = {}
    section = plan.staff
    errors_before = len(plan.errors)
    read_rows: list[_StaffRow] = []
    for table in tables:
        for row in table.rows:
            section.rows += 1
            cells = Cells(table.sheet, row, plan.errors)
            read = _read_staff(cells, villages, sites)
            if read is None:
                continue
            facts, conflict_villages, conflict_sites, reason = read
            if facts.name in seen:
                cells.fail(
                    "姓名",
                    "registry.import.duplicate_staff",
                    name=facts.name,
                    first_row=seen[facts.name],
                )
                continue
            seen[facts.name] = row.number
            existing = active.get(facts.name)
            staff_id = existing.id if existing is not None else new_id()
            read_rows.append(
                _StaffRow(
                    cells, facts, conflict_villages, conflict_sites, reason, staff_id, existing
                )
            )
    # Names in 回避人员 may be anyone of the file (enrolled by it) or of the staff.
    ids = {name: record.id for name, record in active.items()}
    ids |= {r.facts.name: r.staff_id for r in read_rows}
    names = {staff_id: name for name, staff_id in ids.items()}
    for r in read_rows:
        cells, facts = r.cells, r.facts
        apart = _apart_ids(cells, facts.name, ids)
        if cells.failed:
            continue
        home = villages.name_of(facts.home_village_id)
        existing = r.existing
        if existing is None:
            plan.commands.append(
                EnrollStaff(
                    r.staff_id,
                    facts,
                    tuple(r.conflict_villages),
                    tuple(r.conflict_sites),
                    r.reason,
                    tuple(apart),
                )
            )
            section.new.append(Entry(cells.sheet, cells.row.number, facts.name, home))
            continue
        new_villages = [v for v in r.conflict_villages if v not in existing.conflict_village_ids]
        new_sites = [s for s in r.conflict_sites if s not in existing.conflict_site_ids]
        new_apart = [p for p in apart if p not in existing.conflict_staff_ids]
        _notice_kept(plan, cells, existing, r.conflict_villages, r.conflict_sites, apart)
        shown = {
            column: (_shown(before, villages), _shown(after, villages))
            for column, field in _FIELDS.items()
            if (before := getattr(existing.facts, field)) != (after := getattr(facts, field))
        }
        if new_villages:
            shown["回避村"] = ("", "、".join(villages.name_of(v) or v for v in new_villages))
        if new_sites:
            shown["回避场所"] = ("", str(len(new_sites)))
        if new_apart:
            shown[APART] = ("", "、".join(names.get(p, p) for p in new_apart))
        if shown:
            plan.commands.append(
                UpdateStaff(
                    existing.id,
                    facts,
                    tuple(new_villages),
                    tuple(new_sites),
                    r.reason,
                    tuple(new_apart),
                )
            )
            section.updated.append(Entry(cells.sheet, cells.row.number, facts.name, home, shown))
        else:
            section.unchanged += 1
    closing = close_missing and len(plan.errors) == errors_before
    for name, record in active.items():
        if name in seen:
            continue
        entry = Entry("", None, name, villages.name_of(record.facts.home_village_id))
        if closing:
            plan.commands.append(DeactivateStaff(record.id, DEACTIVATE_REASON))
            section.removed.append(entry)
        else:
            section.missing.append(entry)


def _shown(value: object, villages: VillageIndex) -> object:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str) and value in villages.by_id:
        return villages.name_of(value)
    return value


def _notice_kept(
    plan: ImportPlan,
    cells: Cells,
    existing: StaffRecord,
    villages: list[str],
    sites: list[str],
    apart: list[str],
) -> None:
    kept_villages = [v for v in existing.conflict_village_ids if v not in villages]
    kept_sites = [s for s in existing.conflict_site_ids if s not in sites]
    kept_apart = [p for p in existing.conflict_staff_ids if p not in apart]
    for column, kept in (("回避村", kept_villages), ("回避场所", kept_sites), (APART, kept_apart)):
        if kept:
            plan.notices.append(
                Issue(
                    cells.sheet,
                    cells.row.number,
                    column,
                    "registry.import.conflict_kept",
                    {"count": len(kept)},
                )
            )
