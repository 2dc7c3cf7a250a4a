"""The figures leaders report: counts per slice and the rectification rate."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class Dimension(StrEnum):
    """What the figures are broken down by."""

    TOWNSHIP = "township"  # the county roll-up: one row per township
    VILLAGE = "village"
    CATEGORY = "category"
    GROUP = "group"
    ROUND = "round"


@dataclass(frozen=True)
class Figures:
    """One slice. `places_inspected` is None where it has no meaning (per category)."""

    key: str
    label: str
    places_inspected: int | None
    inspections: int | None
    hazards: int
    verified: int
    overdue: int
    major: int

    @property
    def open(self) -> int:
        return self.hazards - self.verified

    @property
    def rectification_rate(self) -> float | None:
        """Verified over found; None when nothing was found (not 0 % and not 100 %)."""
        return None if self.hazards == 0 else self.verified / self.hazards

    @property
    def rectification_percent(self) -> int | None:
        """The rate as the whole percent leaders write (159 of 164 → 97), half up."""
        if self.hazards == 0:
            return None
        exact = Decimal(100 * self.verified) / Decimal(self.hazards)
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def as_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "label": self.label,
            "places_inspected": self.places_inspected,
            "inspections": self.inspections,
            "hazards": self.hazards,
            "verified": self.verified,
            "open": self.open,
            "overdue": self.overdue,
            "major": self.major,
            "rectification_rate": self.rectification_rate,
            "rectification_percent": self.rectification_percent,
        }
