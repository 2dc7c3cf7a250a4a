"""Command handlers of the rotation: load the campaign from its events, read the roster,
run the solver in a worker thread (it is CPU-bound; the event loop keeps serving), let
the aggregate record the outcome; the platform's unit of work appends. A campaign
changed meanwhile by someone else is a ConcurrencyConflict (409), never a lost update.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime

from crosscheck_contracts.envelope import Tenant
from crosscheck_contracts.events import rotation as contract
from crosscheck_platform.db import Database
from crosscheck_platform.errors import NotFound, RuleViolation, StateConflict
from crosscheck_platform.eventstore import CommandContext, EventStore, StoredEvent
from crosscheck_platform.eventstore.loading import load_aggregate
from crosscheck_platform.unit_of_work import UnitOfWork, execute
from crosscheck_rotation.app import solving
from crosscheck_rotation.app.commands import (
    ChangeGroups,
    CloseRound,
    Launch,
    Reform,
    Replan,
    Schedule,
)
from crosscheck_rotation.app.roster import RosterSource
from crosscheck_rotation.domain.campaign import Campaign
from crosscheck_rotation.domain.causes import Cause, RotationInfeasible
from crosscheck_rotation.domain.changes import GroupChange, apply_change, refresh_groups, rezone
from crosscheck_rotation.domain.checker import Check, check_round
from crosscheck_rotation.domain.kaware import Formed, form_for_k
from crosscheck_rotation.domain.model import (
    CampaignPlan,
    Group,
    RotationProblem,
    RoundPlan,
    StaffMember,
    Zone,
)
from crosscheck_rotation.domain.planner import plan_campaign
from crosscheck_rotation.domain.recusal import eligible_zones
from crosscheck_rotation.domain.risk import weights, zone_risk
from crosscheck_rotation.domain.roster_version import Roster
from crosscheck_rotation.domain.zoning import build_zones, split_for_groups


def new_seed() -> int:
    return secrets.randbelow(2**31 - 1)


async def load(store: EventStore, campaign_id: str, township: str) -> tuple[Campaign, Tenant]:
    """The campaign as its events left it, and its tenant; another township's campaign
    is not found (its existence is not revealed)."""
    missing = NotFound("rotation.campaign_not_found", campaign_id=campaign_id)
    loaded = await load_aggregate(store, Campaign, campaign_id, missing=missing, township=township)
    return loaded.aggregate, loaded.tenant


async def of_township(
    db: Database, store: EventStore, township: str
) -> list[tuple[Campaign, datetime]]:
    """Every campaign launched in the township, each as its events left it, with the
    time it was launched."""
    rows = await db.fetch(
        """SELECT stream_id, occurred_at FROM events
           WHERE township = $1 AND version = 1 AND event_type = $2""",
        township,
        contract.CampaignLaunched.event_type,
    )
    return [((await load(store, r["stream_id"], township))[0], r["occurred_at"]) for r in rows]


async def on_campaign(
    store: EventStore,
    ctx: CommandContext,
    campaign_id: str,
    decide: Callable[[Campaign], Awaitable[None]],
) -> list[StoredEvent]:
    """Run `decide` on the campaign as its events left it, through the unit of work."""

    async def handler(unit: UnitOfWork) -> None:
        campaign, _ = await load(unit.store, campaign_id, ctx.tenant.township)
        campaign.ensure_township_run()
        await decide(campaign)
        unit.add(campaign)

    return (await execute(store, ctx, handler)).events


def _eligible(
    groups: Sequence[Group], zones: Sequence[Zone], staff: Mapping[str, StaffMember]
) -> dict[str, list[str]]:
    return {g.group_id: eligible_zones(g, zones, staff) for g in groups}


async def launch(
    store: EventStore, roster: RosterSource, ctx: CommandContext, cmd: Launch
) -> tuple[list[StoredEvent], Formed]:
    """CampaignLaunched with its zones, and GroupsFormed: the group count decides how
    large zones are split, and the groups are drawn for the K asked (K-aware), so all
    are decided together."""
    township = ctx.tenant.township
    now = await roster.current(township)
    names = await roster.village_names(township)
    staff, sites = now.staff, now.sites
    if not sites:
        raise RuleViolation("rotation.no_places")
    if cmd.groups > len(sites):
        raise RotationInfeasible(
            [Cause("too_many_groups", {"groups": cmd.groups, "places": len(sites)}, "fewer_groups")]
        )
    drawn = build_zones(names, sites, max_sites_per_zone=cmd.max_sites_per_zone)
    zones = split_for_groups(drawn, cmd.groups)
    seed = new_seed() if cmd.seed is None else cmd.seed
    formed = await solving.solve(
        form_for_k,
        list(staff.values()),
        zones,
        cmd.groups,
        seed,
        cmd.rounds,
        cmd.no_repeat_within_rounds,
    )
    groups = formed.groups
    rules = contract.RotationRules(
        no_repeat_within_rounds=cmd.no_repeat_within_rounds,
        balance_workload=True,
        reshuffle_members=False,
    )

    async def handler(unit: UnitOfWork) -> None:
        campaign = Campaign.launch(
            cmd.campaign_id,
            name=cmd.name,
            starts_on=cmd.starts_on,
            ends_on=cmd.ends_on,
            rounds=cmd.rounds,
            zones=zones,
            rules=rules,
        )
        campaign.form_groups(groups, _eligible(groups, zones, staff), seed, now.version)
        unit.add(campaign)

    return (await execute(store, ctx, handler)).events, formed


async def reform(
    store: EventStore, roster: RosterSource, ctx: CommandContext, cmd: Reform
) -> tuple[list[StoredEvent], Formed]:
    """Form the groups again (another draw, or after roster changes) before scheduling,
    K-aware as at launch."""
    now = await roster.current(ctx.tenant.township)
    staff = now.staff

    async def decide(campaign: Campaign) -> None:
        state = campaign.state
        if state.plans:
            raise StateConflict("rotation.groups_already_formed")
        seed = new_seed() if cmd.seed is None else cmd.seed
        formed = await solving.solve(
            form_for_k,
            list(staff.values()),
            state.zones,
            len(state.groups),
            seed,
            state.rounds,
            campaign.k_asked(),
        )
        outcome.append(formed)
        groups = formed.groups
        campaign.form_groups(groups, _eligible(groups, state.zones, staff), seed, now.version)

    outcome: list[Formed] = []
    stored = await on_campaign(store, ctx, cmd.campaign_id, decide)
    return stored, outcome[-1]


def _checks(
    plan: CampaignPlan,
    history: Sequence[RoundPlan],
    zones: Sequence[Zone],
    groups: Sequence[Group],
    staff: Mapping[str, StaffMember],
    site_names: Mapping[str, str],
) -> dict[int, list[Check]]:
    """The independent checker over each new round, among every round planned."""
    every = [*history, *plan.rounds]
    return {
        r.round_no: check_round(
            r.round_no, every, zones, groups, staff, plan.no_repeat_within, site_names
        )
        for r in plan.rounds
    }


def _active_groups(
    campaign: Campaign, zones: Sequence[Zone], now: Roster, change: GroupChange | None = None
) -> list[Group]:
    """The campaign's groups without members who left (and with `change`); recorded
    again if they changed."""
    staff = now.staff
    groups = refresh_groups(campaign.state.groups, staff)
    if change is not None:
        groups = apply_change(groups, change, staff)
    eligible = _eligible(groups, zones, staff)
    if tuple(groups) != campaign.state.groups or any(
        eligible[g.group_id] != campaign.state.eligible.get(g.group_id) for g in groups
    ):
        campaign.regroup(groups, eligible, now.version)
    return groups


async def schedule(
    store: EventStore, roster: RosterSource, ctx: CommandContext, cmd: Schedule
) -> list[StoredEvent]:
    """Every round of the campaign, planned together."""
    township = ctx.tenant.township
    now = await roster.current(township)
    site_names = await roster.site_names(township)
    staff = now.staff

    async def decide(campaign: Campaign) -> None:
        state = campaign.state
        if not state.groups:
            raise StateConflict("rotation.groups_not_formed")
        if state.plans:
            raise StateConflict("rotation.already_scheduled")
        groups = _active_groups(campaign, state.zones, now)
        problem = RotationProblem(staff, groups, state.zones, range(1, state.rounds + 1))
        k = state.rules.no_repeat_within_rounds if state.rules else None
        seed = new_seed() if cmd.seed is None else cmd.seed
        plan = await solving.solve(plan_campaign, problem, k, seed)
        checks = _checks(plan, (), state.zones, groups, staff, site_names)
        campaign.schedule(plan, checks, now.version)

    return await on_campaign(store, ctx, cmd.campaign_id, decide)


async def replan(
    store: EventStore,
    roster: RosterSource,
    ctx: CommandContext,
    cmd: Replan,
    change: GroupChange | None = None,
) -> list[StoredEvent]:
    """Plan again, from the roster as it is now, every round from `from_round` (default:
    the first not closed); closed rounds never change and still count for rotation.
    With `change`, the groups take that small change first (recorded as GroupsFormed)."""
    township = ctx.tenant.township
    now = await roster.current(township)
    names = await roster.village_names(township)
    site_names = await roster.site_names(township)
    found = await roster.findings(cmd.campaign_id)
    visits = await roster.visits(cmd.campaign_id)
    staff = now.staff

    async def decide(campaign: Campaign) -> None:
        state = campaign.state
        if not state.plans:
            raise StateConflict("rotation.round_not_found", round=cmd.from_round or 1)
        first = state.last_closed + 1 if cmd.from_round is None else cmd.from_round
        if first <= state.last_closed:
            raise StateConflict("rotation.round_closed", round=first)
        if first > state.rounds:
            raise StateConflict("rotation.nothing_to_plan")
        current = campaign.current_zones()
        zones = split_for_groups(rezone(current, now.sites, names), len(state.groups))
        groups = _active_groups(campaign, zones, now, change)
        history = [rec.plan for n, rec in sorted(state.plans.items()) if n < first]
        risk = weights(zone_risk(found, zones, first, visits))
        problem = RotationProblem(
            staff, groups, zones, range(first, state.rounds + 1), history, risk
        )
        seed = new_seed() if cmd.seed is None else cmd.seed
        try:
            plan = await solving.solve(_replan, problem, campaign.k_in_force(), seed)
        except RotationInfeasible as exc:
            raise RotationInfeasible(exc.causes, ways_out=True) from exc
        recorded = None if tuple(zones) == state.zones else zones
        checks = _checks(plan, history, zones, groups, staff, site_names)
        campaign.replan(plan, checks, recorded, cmd.reason, now.version)

    return await on_campaign(store, ctx, cmd.campaign_id, decide)


def _replan(problem: RotationProblem, k: int | None, seed: int) -> CampaignPlan:
    """Keep the campaign's K: a smaller one for the later rounds would let a group return
    to a zone it saw in a round already planned. Only when K was left to the planner
    ("as large as feasible") and the change makes it impossible does K shrink."""
    try:
        return plan_campaign(problem, k, seed)
    except RotationInfeasible:
        if k is None:
            raise
        return plan_campaign(problem, None, seed)


async def close_round(store: EventStore, ctx: CommandContext, cmd: CloseRound) -> list[StoredEvent]:
    async def decide(campaign: Campaign) -> None:
        campaign.close_round(cmd.round_no)

    return await on_campaign(store, ctx, cmd.campaign_id, decide)


async def change_groups(
    store: EventStore, roster: RosterSource, ctx: CommandContext, cmd: ChangeGroups
) -> list[StoredEvent]:
    """A small change to the groups. Once rounds are planned, the rounds not yet started
    are planned again with the changed groups and re-checked (a change that breaks a rule
    is refused, recording nothing); before that, the groups alone are recorded."""
    campaign, _ = await load(store, cmd.campaign_id, ctx.tenant.township)
    campaign.ensure_township_run()
    if campaign.state.plans:
        replan_cmd = Replan(cmd.campaign_id, cmd.reason, cmd.from_round, cmd.seed)
        return await replan(store, roster, ctx, replan_cmd, cmd.change)
    now = await roster.current(ctx.tenant.township)

    async def decide(campaign: Campaign) -> None:
        campaign.ensure_open()
        _active_groups(campaign, campaign.state.zones, now, cmd.change)

    return await on_campaign(store, ctx, cmd.campaign_id, decide)
