"""The standard checklists shipped with the service (data/checklists.toml)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from crosscheck_hazards.domain.checklists import ChecklistLibrary, parse_library


@cache
def standard_library() -> ChecklistLibrary:
    text = files("crosscheck_hazards").joinpath("data/checklists.toml").read_text("utf-8")
    return parse_library(text)
