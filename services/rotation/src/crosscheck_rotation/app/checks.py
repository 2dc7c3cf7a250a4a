"""The independent check of a recorded round, for the check endpoint: everything comes
from the campaign's recorded events (zones, groups in force when the round was planned,
every round's assignments, the K the plan was made for) and the registry's facts about
the staff as this service received them; nothing from the solver."""

from __future__ import annotations

from typing import Any

from crosscheck_platform.db import Database
from crosscheck_platform.errors import NotFound
from crosscheck_platform.eventstore import EventStore
from crosscheck_rotation.adapters import roster
from crosscheck_rotation.app.campaigns import load
from crosscheck_rotation.domain.checker import check_round


async def check(
    db: Database, store: EventStore, township: str, campaign_id: str, round_no: int
) -> dict[str, Any]:
    campaign, _ = await load(store, campaign_id, township)
    state = campaign.state
    record = state.plans.get(round_no)
    if record is None:
        raise NotFound("rotation.round_not_found", round=round_no)
    async with db.pool.acquire() as conn:
        # Everyone, active or not: a past round is checked against its own members.
        staff = await roster.staff(conn, township, active_only=False)
        site_names = await roster.site_names(conn, township)
    # The K in force: the campaign's rule, or the smallest a recorded plan was made for
    # (a replan may have had to relax it; every round is then held to that).
    k = campaign.k_in_force()
    rounds = [r.plan for r in state.plans.values()]
    # A plan records its K in its rotation check; 1 (no back-to-back visit) is the
    # weakest reading should an old record lack it.
    k = 1 if k is None else k
    checks = check_round(round_no, rounds, record.zones, record.groups, staff, k, site_names)
    recorded = {c.rule: c.held for c in record.checks}
    return {
        "round_no": round_no,
        "no_repeat_within_rounds": k,
        "held": all(c.held for c in checks),
        "checks": [
            {"rule": c.rule, "held": c.held, "note": c.note, "problems": list(c.problems)}
            for c in checks
        ],
        "agrees_with_recorded": all(recorded.get(c.rule) == c.held for c in checks),
    }
