"""The import as a pure function: a file and a township's state in, a plan out."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import pytest

from crosscheck_contracts.events.registry import SiteType
from crosscheck_registry.adapters.spreadsheets import read_upload
from crosscheck_registry.domain.commands import (
    CloseSite,
    Command,
    DeclareConflict,
    EnrollStaff,
    RegisterSite,
    RegisterVillage,
    UpdateSite,
    UpdateStaff,
)
from crosscheck_registry.domain.importing.plan import plan_import
from crosscheck_registry.domain.importing.report import ImportPlan
from crosscheck_registry.domain.importing.tables import Upload
from crosscheck_registry.domain.state import SiteRecord, StaffRecord, TownshipState, VillageRecord
from crosscheck_scenarios.registry import (
    BAD_ROW_PROBLEMS,
    SITE_HEADERS,
    Scenario,
    reference_scenario,
    to_csv,
    with_bad_site_rows,
)

TODAY = date(2025, 6, 1)


def _plan(upload: Upload, state: TownshipState, **options: bool) -> ImportPlan:
    ids = (f"id-{n}" for n in itertools.count())
    return plan_import(upload, state, today=TODAY, new_id=lambda: next(ids), **options)


def _applied(state: TownshipState, commands: Sequence[Command]) -> TownshipState:
    """What the registry holds after the commands (a test's own, simple bookkeeping)."""
    villages, sites = list(state.villages), {s.id: s for s in state.sites}
    staff = {s.id: s for s in state.staff}
    for c in commands:
        if isinstance(c, RegisterVillage):
            villages.append(VillageRecord(c.facts.code, c.facts.code, c.facts.name))
        elif isinstance(c, RegisterSite):
            sites[c.site_id] = SiteRecord(c.site_id, c.facts)
        elif isinstance(c, UpdateSite):
            old = sites[c.site_id]
            sites[c.site_id] = replace(old, facts=replace(old.facts, **c.changes.as_dict()))
        elif isinstance(c, CloseSite):
            sites[c.site_id] = replace(sites[c.site_id], active=False)
        elif isinstance(c, EnrollStaff):
            staff[c.staff_id] = StaffRecord(
                c.staff_id, c.facts, c.conflict_village_ids, c.conflict_site_ids
            )
        elif isinstance(c, DeclareConflict | UpdateStaff):
            old_staff = staff[c.staff_id]
            added = (
                (c.village_ids, c.site_ids)
                if isinstance(c, DeclareConflict)
                else (c.conflict_village_ids, c.conflict_site_ids)
            )
            staff[c.staff_id] = replace(
                old_staff,
                facts=c.facts if isinstance(c, UpdateStaff) else old_staff.facts,
                conflict_village_ids=old_staff.conflict_village_ids + added[0],
                conflict_site_ids=old_staff.conflict_site_ids + added[1],
            )
    return TownshipState(state.code, villages, list(sites.values()), list(staff.values()))


@pytest.fixture
def scenario() -> Scenario:
    return reference_scenario()


def test_reference_scenario_has_the_seed_shape(scenario: Scenario) -> None:
    assert len(scenario.villages) == 7 and len(scenario.sites) == 68 and len(scenario.staff) == 49
    assert scenario.leadership_count >= 8
    assert sum(1 for row in scenario.staff if row[5] or row[6]) >= 5
    assert len({row[3] for row in scenario.sites}) >= 8
    assert reference_scenario().sites == scenario.sites  # seeded: same seed, same township
    assert reference_scenario(seed=7).sites != scenario.sites


def test_first_import_registers_everything_then_nothing(scenario: Scenario) -> None:
    empty = TownshipState(scenario.township_code)
    plan = _plan(read_upload(scenario.to_xlsx()), empty)
    assert plan.errors == []
    assert (len(plan.villages.new), len(plan.sites.new), len(plan.staff.new)) == (7, 68, 49)
    enrolments = [c for c in plan.commands if isinstance(c, EnrollStaff)]
    assert sum(c.facts.is_leadership for c in enrolments) == scenario.leadership_count
    assert sum(1 for c in enrolments if c.conflict_village_ids or c.conflict_site_ids) >= 5

    state = _applied(empty, plan.commands)
    again = _plan(read_upload(scenario.to_xlsx()), state)
    assert again.errors == [] and again.commands == []
    assert (again.villages.unchanged, again.sites.unchanged, again.staff.unchanged) == (7, 68, 49)


def test_edited_file_plans_only_the_differences(scenario: Scenario) -> None:
    empty = TownshipState(scenario.township_code)
    state = _applied(empty, _plan(read_upload(scenario.to_xlsx()), empty).commands)
    scenario.sites[0][4] = "新地址一组1号"  # address
    scenario.sites[1][6] = "13900001111"  # phone
    scenario.sites[2][3] = "小餐饮"  # type
    scenario.sites.append(
        ["69", "新开张小卖部", scenario.sites[0][2], "小商店", "某地", "王五", ""]
    )
    scenario.staff[20][5] = scenario.villages[0][0]  # a new conflict
    scenario.staff[21][2] = "新调入单位"  # unit
    scenario.staff[21][3] = "是" if scenario.staff[21][3] != "是" else "否"  # leadership
    del scenario.sites[10]  # no longer listed: kept unless asked to close
    plan = _plan(read_upload(scenario.to_xlsx()), state)
    assert plan.errors == []
    updates = [c for c in plan.commands if isinstance(c, UpdateSite)]
    assert [c.changes.as_dict() for c in updates] == [
        {"address": "新地址一组1号"},
        {"responsible_phone": "13900001111"},
        {"site_type": SiteType.SMALL_RESTAURANT},
    ]
    staff_updates = [c for c in plan.commands if isinstance(c, UpdateStaff)]
    assert [type(c) for c in plan.commands] == [UpdateSite] * 3 + [RegisterSite] + [
        UpdateStaff
    ] * len(staff_updates)
    changed = next(c for c in staff_updates if c.facts.name == scenario.staff[21][1])
    assert changed.facts.unit == "新调入单位"
    assert changed.facts.is_leadership == (scenario.staff[21][3] == "是")
    assert [e.name for e in plan.staff.updated] == [c.facts.name for c in staff_updates]
    staff_applied = _applied(state, staff_updates)
    again = _plan(read_upload(scenario.to_xlsx()), staff_applied)
    assert not [c for c in again.commands if isinstance(c, UpdateStaff)]
    assert again.staff.unchanged == len(scenario.staff)
    assert [e.name for e in plan.sites.missing] == [state.sites[10].facts.name]
    closing = _plan(read_upload(scenario.to_xlsx()), state, close_missing=True)
    assert [c for c in closing.commands if isinstance(c, CloseSite)] == [
        CloseSite(state.sites[10].id, "导入的底数清单中已无此场所", TODAY)
    ]


def test_bad_rows_get_one_precise_error_each(scenario: Scenario) -> None:
    empty = TownshipState(scenario.township_code)
    villages = _applied(empty, _plan(read_upload(scenario.villages_csv()), empty).commands)
    rows, bad_numbers = with_bad_site_rows(scenario)
    plan = _plan(read_upload(to_csv(SITE_HEADERS, rows)), villages)
    assert [(e.row, e.column, e.key) for e in plan.errors] == [
        (number, column, key)
        for number, (column, key) in zip(bad_numbers, BAD_ROW_PROBLEMS, strict=True)
    ]
    duplicate = plan.errors[3]
    assert duplicate.params["first_row"] == 2
    # The good rows are all still planned.
    assert len(plan.sites.new) == 68 and plan.invalid_rows == 5


def test_sheet_problems_and_tolerated_layouts() -> None:
    state = TownshipState(
        "532327102", [VillageRecord("532327102201", "532327102201", "大村村委会")]
    )
    title_and_gbk = (
        "维的乡底数清单\n序号,场所名称*,村委会,类型,详细地址,负责人,电话\n"
        "1,张记小卖部,大村,小卖部,大村一组,张三,0878 6123456\n"
    ).encode("gb18030")
    plan = _plan(read_upload(title_and_gbk), state)
    assert plan.errors == []
    [command] = plan.commands
    assert isinstance(command, RegisterSite)
    assert command.facts.village_id == "532327102201"
    assert command.facts.responsible_phone == "0878-6123456"

    missing_column = "场所名称,所属村委会,场所类型\n张记,大村,小商店\n".encode()
    plan = _plan(read_upload(missing_column), state)
    assert {(e.column, e.key) for e in plan.errors} == {
        ("地址", "registry.import.missing_column"),
        ("负责人", "registry.import.missing_column"),
    }
    assert plan.has_sheet_errors
    assert _plan(read_upload(b"a,b\n1,2\n"), state).errors[0].key == "registry.import.unknown_sheet"
    assert _plan(read_upload(b"PK\x03\x04garbage"), state).errors[0].key == (
        "registry.import.unreadable"
    )
    assert _plan(read_upload(b"  "), state).errors[0].key == "registry.import.empty"
