"""The independent check of a recorded round, for the check endpoint: everything comes
from the campaign's recorded events (zones, groups in force when the round was planned,
every round's assignments, the K the plan was made for) and the registry's facts about
the staff as this service received them; nothing from the solver."""

from __future__ import annotations

from typing import Any

from crosscheck_platform.errors import NotFound
from crosscheck_platform.eventstore import EventStore
from crosscheck_rotation.app import county, solving
from crosscheck_rotation.app.campaigns import load
from crosscheck_rotation.app.roster import RosterSource
from crosscheck_rotation.domain.campaign import Campaign
from crosscheck_rotation.domain.causes import RotationInfeasible
from crosscheck_rotation.domain.checker import check_round
from crosscheck_rotation.domain.kaware import form_for_k
from crosscheck_rotation.domain.model import RotationProblem
from crosscheck_rotation.domain.planner import plan_campaign
from crosscheck_rotation.domain.roster_version import Roster


async def check(
    store: EventStore,
    roster: RosterSource,
    township: str,
    campaign_id: str,
    round_no: int,
    *,
    replay: bool = False,
) -> dict[str, Any]:
    campaign, _ = await load(store, campaign_id, township)
    state = campaign.state
    if state.county is not None:
        # A township's part of a county campaign is checked as the county round it is.
        return await county.check(roster, await county.from_scope(store, state.county), round_no)
    record = state.plans.get(round_no)
    if record is None:
        raise NotFound("rotation.round_not_found", round=round_no)
    # Everyone, active or not: a past round is checked against its own members.
    staff = await roster.staff(township, active_only=False)
    site_names = await roster.site_names(township)
    # The K in force: the campaign's rule, or the smallest a recorded plan was made for
    # (a replan may have had to relax it; every round is then held to that).
    k = campaign.k_in_force()
    rounds = [r.plan for r in state.plans.values()]
    # A plan records its K in its rotation check; 1 (no back-to-back visit) is the
    # weakest reading should an old record lack it.
    k = 1 if k is None else k
    checks = check_round(round_no, rounds, record.zones, record.groups, staff, k, site_names)
    recorded = {c.rule: c.held for c in record.checks}
    replayed = None
    if replay:
        plan_roster = await _recorded(roster, township, record.roster_version)
        draw = state.draw
        draw_roster = await _recorded(roster, township, draw.roster_version if draw else None)
        replayed = await _replay(campaign, round_no, plan_roster or Roster(staff, {}))
        replayed["roster"] = "recorded" if plan_roster else "today"
        replayed["draw"] = await _replay_draw(campaign, draw_roster)
    return {
        "replay": replayed,
        "round_no": round_no,
        "no_repeat_within_rounds": k,
        "held": all(c.held for c in checks),
        "checks": [
            {"rule": c.rule, "held": c.held, "note": c.note, "problems": list(c.problems)}
            for c in checks
        ],
        "agrees_with_recorded": all(recorded.get(c.rule) == c.held for c in checks),
    }


async def _recorded(roster: RosterSource, township: str, version: str | None) -> Roster | None:
    return None if version is None else await roster.as_recorded(township, version)


async def _replay_draw(campaign: Campaign, recorded: Roster | None) -> dict[str, Any]:
    """Draw the groups again from the roster and seed the latest draw recorded, and say
    whether the same groups (leaders and members) come out."""
    state = campaign.state
    draw = state.draw
    if draw is None or recorded is None:
        why = "no draw recorded with its roster" if draw is None else "roster not kept"
        return {"replayed": False, "reason": why, "matches": None}
    staff = list(recorded.staff.values())
    formed = await solving.solve(
        form_for_k,
        staff,
        state.zones,
        len(draw.groups),
        draw.seed,
        state.rounds,
        campaign.k_asked(),
    )
    groups = formed.groups
    return {
        "replayed": True,
        "seed": draw.seed,
        "roster_version": draw.roster_version,
        "matches": tuple(groups) == draw.groups,
    }


async def _replay(campaign: Campaign, round_no: int, now: Roster) -> dict[str, Any]:
    """Plan the campaign again from what its events recorded (zones, groups, rounds, the
    K and seed of the plan) and the roster the plan was made from (kept by its version;
    today's staff for a plan recorded before versions were), and say whether round
    `round_no` comes out the same. A round from a replan is not replayed (it was planned
    around the rounds before it as they stood that day)."""
    staff = now.staff
    state = campaign.state
    record = state.plans[round_no]
    if record.replanned:
        return {"replayed": False, "reason": "replanned round", "matches": None}
    first = [n for n, r in sorted(state.plans.items()) if not r.replanned]
    problem = RotationProblem(staff, record.groups, record.zones, range(1, state.rounds + 1))
    k = record.no_repeat_within
    try:
        plan = await solving.solve(plan_campaign, problem, k, record.seed)
    except RotationInfeasible:
        return {"replayed": True, "seed": record.seed, "matches": False}
    again = {r.round_no: r for r in plan.rounds}
    same = again[round_no] == record.plan
    return {
        "replayed": True,
        "seed": record.seed,
        "no_repeat_within_rounds": k,
        "matches": same,
        "rounds_compared": first,
        "reproducible": plan.reproducible,
        "roster_version": record.roster_version,
    }
