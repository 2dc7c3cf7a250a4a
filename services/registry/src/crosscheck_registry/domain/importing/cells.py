"""Reading one cell with one rule; a broken rule becomes an Issue at that cell."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from crosscheck_contracts.events.registry import GeoPoint
from crosscheck_registry.domain.importing.issues import Issue
from crosscheck_registry.domain.importing.tables import Row
from crosscheck_registry.domain.values import Invalid, clean_text

T = TypeVar("T")


class Cells:
    """Collects the issues of one row while its cells are read."""

    def __init__(self, sheet: str, row: Row, issues: list[Issue]) -> None:
        self.sheet = sheet
        self.row = row
        self.issues = issues
        self.failed = False

    def fail(self, column: str | None, key: str, **params: object) -> None:
        self.failed = True
        self.issues.append(Issue(self.sheet, self.row.number, column, key, dict(params)))

    def blank(self, column: str) -> bool:
        return clean_text(self.row.get(column)) == ""

    def text(self, column: str) -> str:
        return clean_text(self.row.get(column))

    def read(self, column: str, rule: Callable[[object], T]) -> T | None:
        try:
            return rule(self.row.get(column))
        except Invalid as problem:
            self.fail(column, problem.key, **problem.params)
            return None

    def optional(self, column: str, rule: Callable[[object], T]) -> T | None:
        return None if self.blank(column) else self.read(column, rule)

    def location(self) -> GeoPoint | None:
        """经度/纬度: both or neither."""
        if self.blank("经度") and self.blank("纬度"):
            return None
        values: dict[str, float] = {}
        for column, low, high in (("经度", -180.0, 180.0), ("纬度", -90.0, 90.0)):
            try:
                value = float(self.text(column))
            except ValueError:
                self.fail(column, "registry.value.coordinate", value=self.text(column))
                continue
            if not low <= value <= high:
                self.fail(column, "registry.value.coordinate", value=self.text(column))
                continue
            values[column] = value
        if len(values) < 2:
            return None
        return GeoPoint(lat=values["纬度"], lon=values["经度"])
