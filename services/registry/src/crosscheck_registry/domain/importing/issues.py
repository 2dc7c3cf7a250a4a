"""A problem found in an uploaded file, located by sheet, row number and column."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Issue:
    """`row` is the spreadsheet's own row number (the header is usually row 1); None
    means the whole sheet or file. `key` names the message, `params` fill it."""

    sheet: str
    row: int | None
    column: str | None
    key: str
    params: dict[str, Any] = field(default_factory=dict)
