"""The rotation's commands as typed objects: what the API read from a request, and all
a handler needs besides the event store and the roster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from crosscheck_rotation.domain.changes import GroupChange


@dataclass(frozen=True)
class Launch:
    campaign_id: str
    name: str
    starts_on: date
    ends_on: date
    rounds: int
    groups: int
    no_repeat_within_rounds: int | None
    max_sites_per_zone: int | None
    seed: int | None = None


@dataclass(frozen=True)
class Reform:
    """Form the groups again (another draw, or after roster changes) before scheduling."""

    campaign_id: str
    seed: int | None = None


@dataclass(frozen=True)
class Schedule:
    campaign_id: str
    seed: int | None = None


@dataclass(frozen=True)
class Replan:
    """Plan again every round from `from_round` (default: the first not closed)."""

    campaign_id: str
    reason: str
    from_round: int | None = None
    seed: int | None = None


@dataclass(frozen=True)
class ChangeGroups:
    campaign_id: str
    change: GroupChange
    reason: str
    from_round: int | None = None
    seed: int | None = None


@dataclass(frozen=True)
class CloseRound:
    campaign_id: str
    round_no: int


@dataclass(frozen=True)
class Cancel:
    campaign_id: str
    reason: str
    today: date


@dataclass(frozen=True)
class LaunchCounty:
    """A county campaign over `townships` (their codes, in the county's order)."""

    county_campaign_id: str
    name: str
    starts_on: date
    ends_on: date
    rounds: int
    townships: tuple[str, ...]
    team_size: int
    no_repeat_within_rounds: int | None
    seed: int | None = None
