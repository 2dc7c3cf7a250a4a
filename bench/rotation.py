"""Rotation benchmark: group formation, the pre-check and the campaign planner.

    uv run python bench/rotation.py [--budget 1.2] [--workers 2]

(a) the reference scenario (49 staff, 7 villages, 8 groups, 6 rounds), all rounds planned
together; (b) a large township: 60 zones, 60 groups, 500 staff (half living in the
villages, 5 % declared conflicts), K = 5, 12 rounds; (c) the same staff with 50 zones
(groups share the largest zones) and with 40 groups (groups cover several zones).

For (b) and (c) each round is scheduled as the service replans it: round r is planned
together with all later rounds, around the rounds already fixed, within the per-round
time limit; the time of each such solve is a "per round" figure, and every round kept is
re-verified by the independent checker. Workloads are printed in places, each beside the
bound proven for it (no plan can do better), not as a relative gap. No database or broker.

(d) determinism: the 500-staff township of (b) drawn into 60 groups and its 12 rounds
planned (K = 5) with 1, 2 and 8 worker threads (`--workers` lists them): the time of
each, and a SHA-256 of the groups and of the plan, which must be the same for all.
`--only d` runs this part alone.

(e) K-aware formation: a narrow township (24 staff, 6 groups, 4 rounds) where the seed's
own draw allows only K = 2, asked K = 3; then the 500-staff township of (b) with 40
groups over 60 zones and 12 rounds, groups drawn for K = 5 and for the largest K (up to 6
draws, each confirmed by a plan): time, the draw kept and the K it reaches.

(f) A county campaign (县级乡镇交叉互查) of 20 townships (40 staff each), each sending a
team of five drawn as the service draws them (`draw_team`: a leadership member leads,
nobody with someone declared apart), that inspects another township every round (never
its own), 6 rounds at the largest K: time to draw and to plan, K, workload bounds, the
independent check of every round, and the same teams and plan under every `--workers`.
`--only e` / `--only f` run one part.
`--formation-budget` sets the deterministic time of each formation search (default: 5
for (b)/(c), the service's 2.0 for (d)/(e)); the test run of this script lowers it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import time
from collections.abc import Sequence
from dataclasses import replace

from crosscheck_rotation.api.causes import text
from crosscheck_rotation.domain.causes import RotationInfeasible
from crosscheck_rotation.domain.checker import check_round
from crosscheck_rotation.domain.county import draw_team, plan_county
from crosscheck_rotation.domain.formation import FORMATION_BUDGET, form_groups
from crosscheck_rotation.domain.kaware import form_for_k
from crosscheck_rotation.domain.model import CampaignPlan, RotationProblem, RoundPlan, Zone
from crosscheck_rotation.domain.planner import plan_campaign
from crosscheck_rotation.domain.precheck import largest_passing_k, precheck
from crosscheck_rotation.domain.zoning import split_for_groups
from crosscheck_scenarios.rotation import Township, county, reference, township

FORMATION = {"large": 5.0, "service": FORMATION_BUDGET}
"""Deterministic time of each formation search, by part; --formation-budget overrides."""


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _figures(plan: CampaignPlan) -> str:
    b = plan.bounds
    return (
        f"largest workload {b.max_load} places (proven bound {b.max_load_bound}), "
        f"spread {b.spread} places (proven bound {b.spread_bound} given that workload), "
        f"optimal={plan.optimal}"
    )


def scenario_a() -> None:
    town = reference()
    zones = split_for_groups(town.zones(), 8)
    started = time.perf_counter()
    groups = form_groups(town.staff, zones, 8, seed=1, budget=FORMATION["service"])
    formed = time.perf_counter() - started
    problem = RotationProblem({s.staff_id: s for s in town.staff}, groups, zones, range(1, 7))
    started = time.perf_counter()
    plan = plan_campaign(problem, None, seed=1)
    took = time.perf_counter() - started
    print(f"(a) reference: {len(town.staff)} staff, {len(zones)} zones, 8 groups, 6 rounds")
    print(f"    formation {_ms(formed)}; campaign (default K, all rounds together) {_ms(took)}")
    print(f"    K = {plan.no_repeat_within}; {_figures(plan)}")


def _large(zones: int, groups: int) -> tuple[Township, RotationProblem]:
    town = township(
        2024,
        villages=60,
        places=480,
        staff=500,
        leadership=groups + 5,
        from_villages=0.5,
        conflict_rate=0.05,
    )
    drawn = _merge(town.zones(), zones)
    members = form_groups(town.staff, drawn, groups, seed=1, budget=FORMATION["large"])
    staff = {s.staff_id: s for s in town.staff}
    return town, RotationProblem(staff, members, drawn, range(1, 13))


def _merge(zones: Sequence[Zone], count: int) -> list[Zone]:
    """Fewer zones than villages: the smallest villages share a zone."""
    out = sorted(zones, key=lambda z: z.size)
    while len(out) > count:
        a, b = out.pop(0), out.pop(0)
        out.append(Zone(a.zone_id, a.name, a.village_id, a.site_ids + b.site_ids))
        out.sort(key=lambda z: z.size)
    return out


def rolling(
    problem: RotationProblem, k: int, time_limit: float
) -> tuple[CampaignPlan | None, list[float], list[RoundPlan], int]:
    """Schedule round by round, each solve planning that round and every later one."""
    fixed: list[RoundPlan] = []
    times, first, failed = [], None, 0
    for r in problem.rounds:
        step = RotationProblem(
            problem.staff,
            problem.groups,
            problem.zones,
            range(r, problem.rounds[-1] + 1),
            tuple(fixed),
        )
        started = time.perf_counter()
        try:
            plan = plan_campaign(step, k, seed=r, budget=time_limit)
        except RotationInfeasible:
            # No plan in time: the previous plan's round r stands (it was planned with
            # every later round and is still legal); counted and printed.
            times.append(time.perf_counter() - started)
            failed += 1
            assert first is not None, "no plan at all for the campaign"
            fixed.append(next(p for p in first.rounds if p.round_no == r))
            continue
        times.append(time.perf_counter() - started)
        first = first or plan
        fixed.append(plan.rounds[0])
    return first, times, fixed, failed


def _legal(problem: RotationProblem, rounds: Sequence[RoundPlan], k: int) -> int:
    """How many rounds the independent checker finds breaking a rule."""
    broken = 0
    for r in rounds:
        checks = check_round(r.round_no, rounds, problem.zones, problem.groups, problem.staff, k)
        broken += not all(c.held for c in checks)
    return broken


def large(label: str, zones: int, groups: int, time_limit: float, *, largest_k: bool) -> None:
    started = time.perf_counter()
    _, problem = _large(zones, groups)
    formed = time.perf_counter() - started
    started = time.perf_counter()
    causes = precheck(problem, 5)
    checked = time.perf_counter() - started
    print(f"{label}: {len(problem.zones)} zones, {groups} groups, 500 staff, K = 5, 12 rounds")
    verdict = causes[0].rule if causes else "passes"
    print(f"    formation {formed:.1f} s; pre-check {_ms(checked)} ({verdict})")
    plan, times, kept, failed = rolling(problem, 5, time_limit)
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
    print(
        f"    per round (budget {time_limit:g}): p50 {statistics.median(times):.2f} s, "
        f"p95 {p95:.2f} s, max {max(times):.2f} s; no plan in time: {failed} of 12; "
        f"rounds breaking a rule (independent check): {_legal(problem, kept, 5)} of 12"
    )
    assert plan is not None
    print(f"    all 12 rounds together ({times[0]:.2f} s): {_figures(plan)}")
    if largest_k:
        started = time.perf_counter()
        k = largest_passing_k(problem)
        bound_time = time.perf_counter() - started
        plan = plan_campaign(problem, None, seed=1, budget=time_limit)
        print(
            f"    largest feasible K = {plan.no_repeat_within} (pre-check bound {k} in "
            f"{_ms(bound_time)}; confirmed by a plan that passes the independent check: "
            f"{_legal(problem, plan.rounds, plan.no_repeat_within) == 0})"
        )


def impossible() -> None:
    town = reference()
    zones = split_for_groups(town.zones(), 8)
    groups = form_groups(town.staff, zones, 8, seed=1, budget=FORMATION["service"])
    staff = {s.staff_id: s for s in town.staff}
    # Every group gets a member from village 1: no group may enter its zone.
    villagers = [s for s in town.staff if s.home_village_id == "v001"][:1] * len(groups)
    blocked = [
        g.__class__(g.group_id, g.name, g.leader_id, (*g.member_ids, villagers[0].staff_id))
        for g in groups
    ]
    problem = RotationProblem(staff, blocked, zones, range(1, 7))
    started = time.perf_counter()
    causes = precheck(problem, 3)
    took = time.perf_counter() - started
    print(f"impossible campaign detected by the pre-check in {_ms(took)}: {text(causes[0], 'en')}")


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


def determinism(workers: Sequence[int], budget: float) -> None:
    town = township(
        2024,
        villages=60,
        places=480,
        staff=500,
        leadership=65,
        from_villages=0.5,
        conflict_rate=0.05,
    )
    zones = town.zones()
    staff = {s.staff_id: s for s in town.staff}
    print("(d) determinism: 500 staff, 60 zones, 60 groups, K = 5, 12 rounds, seed 1105")
    seen: set[tuple[str, str]] = set()
    for w in workers:
        os.environ["CROSSCHECK_ROTATION_WORKERS"] = str(w)
        started, cpu = time.perf_counter(), time.process_time()
        groups = form_groups(town.staff, zones, 60, seed=1105, budget=FORMATION["service"])
        formed, formed_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        problem = RotationProblem(staff, groups, zones, range(1, 13))
        plan = plan_campaign(problem, 5, seed=1105, budget=budget)
        planned, planned_cpu = time.perf_counter() - started, time.process_time() - cpu
        g = _digest([[x.group_id, x.leader_id, list(x.member_ids)] for x in groups])
        p = _digest(
            [[a.group_id, a.zone_id, list(a.site_ids)] for r in plan.rounds for a in r.assignments]
        )
        seen.add((g, p))
        print(
            f"    --workers {w}: formation {formed:.1f} s wall, {formed_cpu:.1f} s CPU "
            f"(groups {g}); plan {planned:.1f} s wall, {planned_cpu:.1f} s CPU "
            f"(plan {p}, reproducible={plan.reproducible})"
        )
    print(f"    identical under every worker count: {len(seen) == 1}")


def kaware(budget: float) -> None:
    narrow = township(
        21, villages=6, places=36, staff=24, leadership=7, from_villages=0.7, conflict_rate=0.1
    )
    zones = split_for_groups(narrow.zones(), 6)
    started, cpu = time.perf_counter(), time.process_time()
    formed = form_for_k(narrow.staff, zones, 6, 1, 4, 3, budget=FORMATION["service"])
    took, took_cpu = time.perf_counter() - started, time.process_time() - cpu
    print("(e) K-aware formation: 24 staff, 6 zones, 6 groups, 4 rounds, K = 3 asked, seed 1")
    print(
        f"    {took:.1f} s wall, {took_cpu:.1f} s CPU; the seed's own draw allows K = 2; "
        f"kept draw {formed.draw + 1} of {formed.draws_tried} tried, reaching K = {formed.k}"
    )
    town, problem = _large(60, 40)
    print("(e) K-aware formation: 500 staff, 60 zones, 40 groups, 12 rounds")
    for k in (5, None):
        started, cpu = time.perf_counter(), time.process_time()
        formed = form_for_k(town.staff, problem.zones, 40, 1, 12, k, budget=FORMATION["service"])
        took, took_cpu = time.perf_counter() - started, time.process_time() - cpu
        asked = "K = 5 asked" if k else "largest K"
        print(
            f"    {asked}: {took:.1f} s wall, {took_cpu:.1f} s CPU; kept draw {formed.draw + 1} "
            f"of {formed.draws_tried} tried, reaching K = {formed.k}"
        )


def county_campaign(budget: float, workers: Sequence[int]) -> None:
    pools = county(
        20,
        seed=500,
        villages=10,
        places=60,
        places_step=7,
        staff=40,
        leadership=6,
        team=slice(0, 40),
        from_villages=0.4,
        conflict_rate=0.05,
    )
    places = sum(len(t.sites) for t in pools)
    print(
        f"(f) county campaign: 20 townships, {places} places, 800 staff; teams of 5 drawn "
        "as the service draws them (seed 1), 6 rounds at the largest K"
    )
    seen: set[str] = set()
    for w in workers:
        os.environ["CROSSCHECK_ROTATION_WORKERS"] = str(w)
        started, cpu = time.perf_counter(), time.process_time()
        townships = [
            replace(t, team=draw_team(t.name, {m.staff_id: m for m in t.team}, 5, 1)) for t in pools
        ]
        drawn = time.perf_counter() - started
        started = time.perf_counter()
        _, plan, checks = plan_county(townships, 6, None, seed=1, budget=budget)
        took, took_cpu = time.perf_counter() - started, time.process_time() - cpu
        broken = sum(not all(c.held for c in cs) for cs in checks.values())
        digest = _digest(
            [[t.code, [m.staff_id for m in t.team]] for t in townships]
            + [[a.group_id, a.zone_id, len(a.site_ids)] for r in plan.rounds for a in r.assignments]
        )
        seen.add(digest)
        print(
            f"    --workers {w}: teams drawn in {_ms(drawn)}, planned in {_ms(took)} "
            f"({took_cpu:.1f} s CPU in all); K = {plan.no_repeat_within}; {_figures(plan)}; "
            f"rounds breaking a rule (independent check): {broken} of 6; "
            f"teams and plan {digest}, reproducible={plan.reproducible}"
        )
    print(f"    county: identical under every worker count: {len(seen) == 1}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--budget",
        type=float,
        default=1.2,
        help="deterministic time per round's solve and lane, all phases (default 1.2)",
    )
    parser.add_argument("--workers", default="1,2,8", help="thread counts for (d), comma-separated")
    parser.add_argument("--only", choices=["d", "e", "f"], help="run one part only")
    parser.add_argument(
        "--formation-budget",
        type=float,
        help="deterministic time of each formation search (default 5 for (b)/(c), 2 for (d)/(e))",
    )
    args = parser.parse_args()
    if args.formation_budget is not None:
        FORMATION.update(large=args.formation_budget, service=args.formation_budget)
    workers = [int(w) for w in args.workers.split(",")]
    parts = {"e": kaware}
    if args.only == "d":
        determinism(workers, args.budget)
        return
    if args.only == "f":
        county_campaign(args.budget, workers)
        return
    if args.only:
        parts[args.only](args.budget)
        return
    scenario_a()
    impossible()
    large("(b)", 60, 60, args.budget, largest_k=True)
    large("(c) 50 zones", 50, 60, args.budget, largest_k=False)
    large("(c) 40 groups", 60, 40, args.budget, largest_k=False)
    determinism(workers, args.budget)
    kaware(args.budget)
    county_campaign(args.budget, workers)


if __name__ == "__main__":
    main()
