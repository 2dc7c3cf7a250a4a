"""The Campaign aggregate: a township's inspection campaign, its groups and the plan of
every round. Decisions that need the solver are taken by the service layer (in a worker
thread); the aggregate guards the order of things and records the outcome as events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from crosscheck_contracts.base import Event
from crosscheck_contracts.events import rotation as contract
from crosscheck_platform.errors import StateConflict
from crosscheck_platform.eventstore import Aggregate
from crosscheck_rotation.domain import records
from crosscheck_rotation.domain.checker import Check
from crosscheck_rotation.domain.model import CampaignPlan, Group, RoundPlan, Zone


@dataclass(frozen=True)
class RoundRecord:
    """A round's plan as last recorded, with the zones and groups it was made for."""

    plan: RoundPlan
    zones: tuple[Zone, ...]
    groups: tuple[Group, ...]
    seed: int
    objective: int
    checks: tuple[contract.CheckResult, ...]
    no_repeat_within: int | None
    replanned: bool
    roster_version: str | None = None
    """The roster the plan was made from (None when recorded before it was kept)."""


@dataclass(frozen=True)
class Draw:
    """The latest draw of the groups: what formation made of the roster and the seed."""

    seed: int
    roster_version: str | None
    groups: tuple[Group, ...]


def started(last_closed: int, planned: bool, starts_on: date | None, today: date) -> bool:
    """A campaign has started once a round is closed, or once it is planned and its
    first day has come."""
    if last_closed:
        return True
    return planned and starts_on is not None and starts_on <= today


@dataclass
class CampaignState:
    township: str = ""
    name: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    rounds: int = 0
    rules: contract.RotationRules | None = None
    zones: tuple[Zone, ...] = ()
    groups: tuple[Group, ...] = ()
    eligible: Mapping[str, list[str]] = field(default_factory=dict)
    formation_seed: int = 0
    draw: Draw | None = None
    plans: dict[int, RoundRecord] = field(default_factory=dict)
    last_closed: int = 0
    cancelled: bool = False
    county: contract.CountyScope | None = None
    """Set when the campaign is one township's part of a county campaign."""


class Campaign(Aggregate):
    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.state = CampaignState()

    # -- decisions -----------------------------------------------------------------

    @classmethod
    def launch(
        cls,
        campaign_id: str,
        *,
        name: str,
        starts_on: date,
        ends_on: date,
        rounds: int,
        zones: Sequence[Zone],
        rules: contract.RotationRules,
        county: contract.CountyScope | None = None,
    ) -> Campaign:
        """`county` when this is one township's part of a county campaign."""
        campaign = cls(campaign_id)
        campaign._emit(
            contract.CampaignLaunched(
                campaign_id=campaign_id,
                name=name,
                starts_on=starts_on,
                ends_on=ends_on,
                rounds=rounds,
                zones=[records.zone_out(z) for z in zones],
                rules=rules,
                county=county,
            )
        )
        return campaign

    def form_groups(
        self,
        groups: Sequence[Group],
        eligible: Mapping[str, Sequence[str]],
        seed: int,
        roster_version: str,
    ) -> None:
        """Record the groups drawn from `roster_version` with `seed`; once rounds are
        planned, only through `regroup`."""
        self.ensure_open()
        if self.state.plans:
            raise StateConflict("rotation.groups_already_formed")
        self._groups(groups, eligible, seed, roster_version, True)

    def regroup(
        self, groups: Sequence[Group], eligible: Mapping[str, Sequence[str]], roster_version: str
    ) -> None:
        """The groups changed mid-campaign (a member left, a leader was replaced)."""
        self._groups(groups, eligible, self.state.formation_seed, roster_version, False)

    def schedule(
        self, plan: CampaignPlan, checks: Mapping[int, Sequence[Check]], roster_version: str
    ) -> None:
        """The first plan of every round, all planned together."""
        self.ensure_open()
        if not self.state.groups:
            raise StateConflict("rotation.groups_not_formed")
        if self.state.plans:
            raise StateConflict("rotation.already_scheduled")
        for r in plan.rounds:
            self._emit(
                contract.RoundScheduled(
                    campaign_id=self.id,
                    round_no=r.round_no,
                    assignments=records.assignments_out(r),
                    seed=plan.seed,
                    objective=plan.objective,
                    checks=[records.check_out(c) for c in checks[r.round_no]],
                    roster_version=roster_version,
                )
            )

    def replan(
        self,
        plan: CampaignPlan,
        checks: Mapping[int, Sequence[Check]],
        zones: Sequence[Zone] | None,
        reason: str,
        roster_version: str,
    ) -> None:
        """New plans for rounds not yet started; `zones` when they changed since launch."""
        self.ensure_open()
        for r in plan.rounds:
            if r.round_no <= self.state.last_closed:
                raise StateConflict("rotation.round_closed", round=r.round_no)
            self._emit(
                contract.RoundReplanned(
                    campaign_id=self.id,
                    round_no=r.round_no,
                    assignments=records.assignments_out(r),
                    seed=plan.seed,
                    objective=plan.objective,
                    checks=[records.check_out(c) for c in checks[r.round_no]],
                    zones=None if zones is None else [records.zone_out(z) for z in zones],
                    reason=reason,
                    roster_version=roster_version,
                )
            )

    def close_round(self, round_no: int) -> None:
        self.ensure_open()
        if round_no not in self.state.plans:
            raise StateConflict("rotation.round_not_found", round=round_no)
        if round_no <= self.state.last_closed:
            raise StateConflict("rotation.round_closed", round=round_no)
        if round_no != self.state.last_closed + 1:
            raise StateConflict("rotation.round_out_of_order", expected=self.state.last_closed + 1)
        self._emit(contract.RoundClosed(campaign_id=self.id, round_no=round_no))

    def cancel(self, reason: str, today: date) -> None:
        """Call off a campaign that has not started: no round closed, and either not
        planned yet (a failed launch) or planned to start after `today`."""
        self.ensure_open()
        if self.has_started(today):
            raise StateConflict("rotation.campaign_started", campaign=self.state.name)
        self._emit(contract.CampaignCancelled(campaign_id=self.id, reason=reason))

    def ensure_township_run(self) -> None:
        """A township's part of a county campaign changes only by the county's commands."""
        if self.state.county is not None:
            raise StateConflict("rotation.county_campaign", campaign=self.state.name)

    def ensure_open(self) -> None:
        if self.state.cancelled:
            raise StateConflict("rotation.campaign_cancelled", campaign=self.state.name)

    # -- what the recorded events say ------------------------------------------------

    def has_started(self, today: date) -> bool:
        s = self.state
        return started(s.last_closed, bool(s.plans), s.starts_on, today)

    def k_asked(self) -> int | None:
        """The K the campaign was launched with; None = as large as feasible."""
        return self.state.rules.no_repeat_within_rounds if self.state.rules else None

    def k_in_force(self) -> int | None:
        """The K the rounds are planned for: the campaign's rule, else the smallest any
        recorded plan was made for (None before any plan)."""
        if self.state.rules and self.state.rules.no_repeat_within_rounds is not None:
            return self.state.rules.no_repeat_within_rounds
        ks = [r.no_repeat_within for r in self.state.plans.values() if r.no_repeat_within]
        return min(ks, default=None)

    def current_zones(self) -> tuple[Zone, ...]:
        """The zones of the latest plan that recorded its own, else the campaign's."""
        if not self.state.plans:
            return self.state.zones
        return self.state.plans[max(self.state.plans)].zones

    def _groups(
        self,
        groups: Sequence[Group],
        eligible: Mapping[str, Sequence[str]],
        seed: int,
        roster_version: str,
        drawn: bool,
    ) -> None:
        self._emit(
            contract.GroupsFormed(
                campaign_id=self.id,
                groups=[records.group_out(g, eligible[g.group_id]) for g in groups],
                seed=seed,
                roster_version=roster_version,
                drawn=drawn,
            )
        )

    def apply(self, event: Event) -> None:
        s = self.state
        match event:
            case contract.CampaignLaunched():
                s.name, s.rounds, s.rules = event.name, event.rounds, event.rules
                s.starts_on, s.ends_on = event.starts_on, event.ends_on
                s.zones = tuple(records.zone_in(z) for z in event.zones)
                s.county = event.county
            case contract.GroupsFormed():
                s.groups = tuple(records.group_in(g) for g in event.groups)
                s.eligible = records.eligible_by_group(event.groups)
                s.formation_seed = event.seed
                if event.drawn:
                    s.draw = Draw(event.seed, event.roster_version, s.groups)
            case contract.RoundScheduled() | contract.RoundReplanned():
                # Each plan names its zones unless they are the campaign's own: a round
                # is checkable from its event and the campaign's launch alone.
                zones = s.zones
                if event.zones is not None:
                    zones = tuple(records.zone_in(z) for z in event.zones)
                s.plans[event.round_no] = RoundRecord(
                    plan=records.plan_in(event.round_no, event.assignments),
                    zones=zones,
                    groups=s.groups,
                    seed=event.seed,
                    objective=event.objective,
                    checks=tuple(event.checks),
                    no_repeat_within=records.recorded_k(event.checks),
                    replanned=isinstance(event, contract.RoundReplanned),
                    roster_version=event.roster_version,
                )
            case contract.RoundClosed():
                s.last_closed = max(s.last_closed, event.round_no)
            case contract.CampaignCancelled():
                s.cancelled = True
            case _:
                raise TypeError(f"a campaign does not take {type(event).__name__}")
