"""The rotation's refusal of a replan (its 409/422 answer) read into what the page shows,
in the user's language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Refusal:
    """Why the rotation refused the change, and the ways out it names, in one language."""

    message: str
    causes: list[str]
    ways_out: str | None


def refusal(message: str, detail: Any, lang: str) -> Refusal:
    """The rotation's 409/422: its message (already in the user's language), each cause
    it lists (both languages in the detail: the user's is taken) and its ways out."""
    key = "en" if lang == "en" else "zh"
    found = detail if isinstance(detail, Mapping) else {}
    causes = [
        str(c.get(key, ""))
        for c in found.get("causes", [])
        if isinstance(c, Mapping) and c.get(key)
    ]
    ways = found.get("ways_out")
    ways_out = str(ways.get(key)) if isinstance(ways, Mapping) and ways.get(key) else None
    return Refusal(message, causes, ways_out)
