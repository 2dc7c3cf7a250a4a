"""Field-group writes and how they merge: newest version per group wins.

The same rule is compiled to SQL (adapters/sql.py); here it is plain Python, used to
pre-merge a batch before it is written and, in unit tests, as the reference model.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from crosscheck_ledgers.domain.tables import Table

Key = tuple[Any, ...]


@dataclass(frozen=True)
class Write:
    """Set one field group of one row, as of `version` of the aggregate that owns it."""

    table: Table
    key: Key
    township: str
    county: str
    group: str
    version: int
    values: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        group = self.table.group(self.group)
        if len(self.values) != len(group.columns) or len(self.key) != len(self.table.keys):
            raise ValueError(f"write to {self.table.name}.{self.group} has the wrong shape")


@dataclass
class RowState:
    """One row: its tenant and, per field group, (version, values)."""

    township: str
    county: str
    groups: dict[str, tuple[int, tuple[Any, ...]]] = field(default_factory=dict)

    def apply(self, write: Write) -> None:
        held = self.groups.get(write.group)
        if held is None or write.version > held[0]:
            self.groups[write.group] = (write.version, write.values)


class Patches:
    """Writes merged per table and row: what one batch changes, each row once."""

    def __init__(self) -> None:
        self.tables: dict[str, tuple[Table, dict[Key, RowState]]] = {}

    def add(self, writes: Iterable[Write]) -> None:
        for write in writes:
            _, rows = self.tables.setdefault(write.table.name, (write.table, {}))
            row = rows.get(write.key)
            if row is None:
                row = rows[write.key] = RowState(write.township, write.county)
            row.apply(write)

    def __len__(self) -> int:
        return sum(len(rows) for _, rows in self.tables.values())

    def merge_into(self, store: Patches) -> None:
        """Apply these patches to `store` (the reference model of the database)."""
        for table, rows in self.tables.values():
            _, target = store.tables.setdefault(table.name, (table, {}))
            for key, row in rows.items():
                held = target.get(key)
                if held is None:
                    held = target[key] = RowState(row.township, row.county)
                for group, (version, values) in row.groups.items():
                    held.apply(Write(table, key, row.township, row.county, group, version, values))
