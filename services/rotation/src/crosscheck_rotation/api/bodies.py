"""Request bodies of the rotation API."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crosscheck_contracts.events.rotation import MAX_ROUNDS

Seed = Annotated[int, Field(ge=0, le=2**31 - 2)]
MAX_SITES_PER_ZONE = 100_000
"""Far above any village's places; a bound so that no number reaches the zoning unchecked."""


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LaunchBody(_Body):
    name: str = Field(min_length=1, max_length=100)
    starts_on: date
    ends_on: date
    rounds: int = Field(ge=1, le=MAX_ROUNDS)
    groups: int = Field(ge=1, le=500)
    """How many inspection groups; zones are split so that every group has work."""
    no_repeat_within_rounds: int | None = Field(default=None, ge=1, le=MAX_ROUNDS)
    """K; null = as large as the campaign allows."""
    max_sites_per_zone: int | None = Field(default=None, ge=1, le=MAX_SITES_PER_ZONE)
    """A village with more places is split into zones of balanced size."""
    seed: Seed | None = None
    """Seed of the group formation; drawn at random when absent."""

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class DrawBody(_Body):
    seed: Seed | None = None
    """Seed of the draw; at random when absent. Recorded in the events."""


class ReplanBody(_Body):
    reason: str = Field(min_length=1, max_length=2000)
    from_round: int | None = Field(default=None, ge=1, le=MAX_ROUNDS)
    """First round to plan again; default the first round not yet closed. Pass the
    round after the one in progress to leave that one as it is."""
    seed: Seed | None = None


class CancelBody(_Body):
    reason: str = Field(min_length=1, max_length=2000)
    """Why the campaign is called off; recorded in CampaignCancelled."""


class ChangeBody(_Body):
    kind: Literal["move", "swap", "leader"]
    """move `member` to `to_group`; swap `member` with `other`; make `member` the leader
    of their group."""
    member: str = Field(min_length=1, max_length=64)
    to_group: str | None = Field(default=None, min_length=1, max_length=64)
    other: str | None = Field(default=None, min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)
    from_round: int | None = Field(default=None, ge=1, le=MAX_ROUNDS)
    """First round the change applies to; default the first not closed."""
    seed: Seed | None = None


class CountyLaunchBody(_Body):
    name: str = Field(min_length=1, max_length=100)
    starts_on: date
    ends_on: date
    rounds: int = Field(ge=1, le=MAX_ROUNDS)
    townships: list[Annotated[str, Field(pattern=r"^[0-9]{9}$")]] = Field(
        min_length=2, max_length=200
    )
    """The townships taking part (9-digit codes of the county's townships): each sends
    one team and is inspected by the others' teams."""
    team_size: int = Field(default=3, ge=1, le=50)
    """Members of each team, its leader (a leadership member) included."""
    no_repeat_within_rounds: int | None = Field(default=None, ge=1, le=MAX_ROUNDS)
    """K: a team does not return to a township within K rounds; null = as large as
    the campaign allows."""
    seed: Seed | None = None
    """Seed of the teams' draw and of the plan; at random when absent. Recorded."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        if len(set(self.townships)) != len(self.townships):
            raise ValueError("a township is listed twice")
        return self
