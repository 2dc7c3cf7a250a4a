"""OR-Tools' CP-SAT (`cp_model`), imported when the planner first uses it.

Importing it brings numpy and pandas along: ~70 MiB of the rotation process's resident
memory and a few seconds of CPU at start (bench/RESULTS.md), for a service that solves
only when a campaign is launched or replanned. The domain's modules take `cp_model` from
here; to the type checker it is the module itself.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ortools.sat.python import cp_model
else:

    class _OnFirstUse:
        """Stands for the module; the first attribute read imports it."""

        def __getattr__(self, name: str) -> Any:
            return getattr(importlib.import_module("ortools.sat.python.cp_model"), name)

    cp_model = _OnFirstUse()

__all__ = ["cp_model"]
