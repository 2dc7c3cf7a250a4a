"""The outcome of planning an import, section by section: what is new, what changes,
what stays, what the file no longer lists; and the commands that would do it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crosscheck_registry.domain.commands import Command
from crosscheck_registry.domain.importing.issues import Issue


@dataclass(frozen=True)
class Entry:
    """One listed thing in the report; `changes` maps a column to (old, new)."""

    sheet: str
    row: int | None
    name: str
    village: str | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass
class Section:
    rows: int = 0
    new: list[Entry] = field(default_factory=list)
    updated: list[Entry] = field(default_factory=list)
    unchanged: int = 0
    missing: list[Entry] = field(default_factory=list)
    """Listed in the registry but absent from the file; kept."""
    removed: list[Entry] = field(default_factory=list)
    """Absent from the file and to be closed (places) or deactivated (staff)."""


@dataclass
class ImportPlan:
    villages: Section = field(default_factory=Section)
    sites: Section = field(default_factory=Section)
    staff: Section = field(default_factory=Section)
    errors: list[Issue] = field(default_factory=list)
    notices: list[Issue] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)

    @property
    def invalid_rows(self) -> int:
        return len({(i.sheet, i.row) for i in self.errors if i.row is not None})

    @property
    def has_sheet_errors(self) -> bool:
        """Errors not tied to one row (missing column, unreadable file): nothing in the
        file can be trusted to mean what it seems, so nothing is applied."""
        return any(i.row is None or i.key.endswith("_column") for i in self.errors)
