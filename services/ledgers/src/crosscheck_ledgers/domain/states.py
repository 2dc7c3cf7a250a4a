"""Hazard states as the ledgers know them; their labels (zh, en) are the edge's
(`adapters.labels`)."""

from __future__ import annotations

from crosscheck_contracts.events.hazards import HazardStatus

__all__ = ["HazardState"]


# One vocabulary of hazard states, kept with the contracts (zh/en labels there too).
HazardState = HazardStatus
