"""Planning the village committees sheet: new villages are registered; a known code
under another name is an error, as the contract has no renaming event."""

from __future__ import annotations

from crosscheck_registry.domain import values
from crosscheck_registry.domain.commands import RegisterVillage
from crosscheck_registry.domain.importing.cells import Cells
from crosscheck_registry.domain.importing.index import VillageIndex, village_key
from crosscheck_registry.domain.importing.report import Entry, ImportPlan
from crosscheck_registry.domain.importing.tables import Table
from crosscheck_registry.domain.state import VillageRecord
from crosscheck_registry.domain.township import VillageFacts, village_id_for


def plan_villages(
    plan: ImportPlan, tables: list[Table], township: str, villages: VillageIndex
) -> None:
    """Add entries and commands to `plan`; new villages join `villages` for later sheets."""
    known_codes = set(villages.by_code)
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    section = plan.villages
    for table in tables:
        for row in table.rows:
            section.rows += 1
            cells = Cells(table.sheet, row, plan.errors)
            name = cells.read("村委会名称", values.name)
            code = cells.read("村委会代码", lambda raw: values.village_code(raw, township))
            if name is None or code is None:
                continue
            key = village_key(name)
            if code in seen_codes:
                cells.fail(
                    "村委会代码",
                    "registry.import.duplicate_village",
                    value=code,
                    first_row=seen_codes[code],
                )
                continue
            if key in seen_names:
                cells.fail(
                    "村委会名称",
                    "registry.import.duplicate_village",
                    value=name,
                    first_row=seen_names[key],
                )
                continue
            seen_codes[code], seen_names[key] = row.number, row.number
            if code in known_codes:
                existing = villages.by_code[code]
                if village_key(existing.name) == key:
                    section.unchanged += 1
                else:
                    cells.fail(
                        "村委会名称",
                        "registry.import.village_renamed",
                        code=code,
                        old=existing.name,
                        new=name,
                    )
                continue
            clash = villages.by_key.get(key)
            if clash is not None:
                cells.fail(
                    "村委会名称", "registry.import.village_name_taken", value=name, code=clash.code
                )
                continue
            facts = VillageFacts(code, name)
            plan.commands.append(RegisterVillage(facts))
            villages.add(VillageRecord(village_id_for(code), code, name))
            section.new.append(Entry(table.sheet, row.number, name))
