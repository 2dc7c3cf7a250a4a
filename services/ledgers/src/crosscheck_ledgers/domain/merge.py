"""Field-group writes and how they merge: newest version per group wins.

The same rule is compiled to SQL (adapters/sql.py); here it is plain Python, used to
pre-merge a batch before it is written, to merge a whole history for a rebuild (each
reading process merges its own partitions) and, in unit tests, as the reference model.

A rebuild makes a few writes per event, millions in all: writes are tuples and rows
hold their groups in one dict, so merging allocates little per event.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from typing import Any, NamedTuple

from crosscheck_ledgers.domain.tables import Table

Key = tuple[Any, ...]
Held = tuple[int, tuple[Any, ...]]


class Write(NamedTuple):
    """Set one field group of one row, as of `version` of the aggregate that owns it."""

    table: Table
    key: Key
    township: str
    county: str
    group: str
    version: int
    values: tuple[Any, ...] = ()

    def check_shape(self) -> None:
        """The projection writes fixed shapes; its tests check them here (not per write,
        which would cost a rebuild a lookup and two comparisons per write)."""
        group = self.table.group(self.group)
        if len(self.values) != len(group.columns) or len(self.key) != len(self.table.keys):
            raise ValueError(f"write to {self.table.name}.{self.group} has the wrong shape")


class RowState:
    """One row: its tenant and, per field group, (version, values)."""

    __slots__ = ("county", "groups", "township")

    def __init__(self, township: str, county: str, groups: dict[str, Held] | None = None) -> None:
        self.township = township
        self.county = county
        self.groups = {} if groups is None else groups

    def apply(self, group: str, version: int, values: tuple[Any, ...]) -> None:
        held = self.groups.get(group)
        if held is None or version > held[0]:
            self.groups[group] = (version, values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RowState):
            return NotImplemented
        return (self.township, self.county, self.groups) == (
            other.township,
            other.county,
            other.groups,
        )

    def __repr__(self) -> str:
        return f"RowState({self.township!r}, {self.county!r}, {self.groups!r})"

    # Rows travel between processes by the hundred thousand: as plain tuples they
    # pickle without the per-object slot state.
    def __reduce__(self) -> tuple[type[RowState], tuple[str, str, dict[str, Held]]]:
        return RowState, (self.township, self.county, self.groups)


class Patches:
    """Writes merged per table and row: what one batch changes, each row once."""

    def __init__(self) -> None:
        self.tables: dict[str, tuple[Table, dict[Key, RowState]]] = {}

    def add(self, writes: Iterable[Write]) -> None:
        tables = self.tables
        for table, key, township, county, group, version, values in writes:
            entry = tables.get(table.name)
            if entry is None:
                entry = tables[table.name] = (table, {})
            rows = entry[1]
            row = rows.get(key)
            if row is None:
                rows[key] = RowState(township, county, {group: (version, values)})
                continue
            row.apply(group, version, values)

    def __len__(self) -> int:
        return sum(len(rows) for _, rows in self.tables.values())

    def take(self, keys: Mapping[str, Container[Key]]) -> Patches:
        """Move the rows whose keys are among `keys` (per table name) out of these
        patches, into the ones returned."""
        taken = Patches()
        for name, (table, ours) in self.tables.items():
            wanted = keys.get(name)
            if wanted is None:
                continue
            found = [key for key in ours if key in wanted]
            if found:
                taken.tables[name] = (table, {key: ours.pop(key) for key in found})
        return taken

    def merge_into(self, store: Patches) -> None:
        """Apply these patches to `store` (the reference model of the database)."""
        for table, rows in self.tables.values():
            _, target = store.tables.setdefault(table.name, (table, {}))
            for key, row in rows.items():
                held = target.get(key)
                if held is None:
                    held = target[key] = RowState(row.township, row.county)
                for group, (version, values) in row.groups.items():
                    held.apply(group, version, values)
