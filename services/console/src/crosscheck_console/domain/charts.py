"""What the dashboard's charts draw, from the figures' breakdowns: for each slice its
label and counts. Bars for places (found / rectified / overdue), a pie for categories.
Pure data: the page adds the words and the script draws it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol


class HasRows(Protocol):
    by: str
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class Chart:
    by: str
    kind: Literal["bars", "pie"]
    labels: list[str]
    hazards: list[int]
    verified: list[int]
    overdue: list[int]

    def as_dict(self) -> dict[str, object]:
        return {
            "by": self.by,
            "kind": self.kind,
            "labels": self.labels,
            "hazards": self.hazards,
            "verified": self.verified,
            "overdue": self.overdue,
        }


def chart(breakdown: HasRows) -> Chart:
    rows = [r for r in breakdown.rows if r["hazards"] or r.get("places_inspected")]
    return Chart(
        by=breakdown.by,
        kind="pie" if breakdown.by == "category" else "bars",
        labels=[str(r["label"]) for r in rows],
        hazards=[int(r["hazards"]) for r in rows],
        verified=[int(r["verified"]) for r in rows],
        overdue=[int(r["overdue"]) for r in rows],
    )


def charts(breakdowns: list[Any]) -> list[dict[str, object]]:
    return [chart(b).as_dict() for b in breakdowns if b.rows]
