"""K-aware formation: the groups are drawn for the K asked. On a township where the
first draw allows only K = 2, asking K = 3 gets groups that reach it from another draw
(reproducibly), and asking what no draw reaches names the best K a draw gave."""

from __future__ import annotations

import pytest

from crosscheck_rotation.api.causes import text as rendered
from crosscheck_rotation.domain.causes import RotationInfeasible
from crosscheck_rotation.domain.checker import check_round
from crosscheck_rotation.domain.formation import form_groups
from crosscheck_rotation.domain.kaware import draw_seed, form_for_k, reachable_k
from crosscheck_rotation.domain.model import RotationProblem
from crosscheck_rotation.domain.planner import plan_campaign
from crosscheck_rotation.domain.zoning import split_for_groups
from crosscheck_scenarios.rotation import Township, township


def narrow() -> Township:
    """Six villages, 24 staff, most of them living in the villages: who is grouped with
    whom decides how far six groups can rotate over four rounds."""
    return township(
        21, villages=6, places=36, staff=24, leadership=7, from_villages=0.7, conflict_rate=0.1
    )


def test_asking_k3_where_the_first_draw_allows_2_gets_k3_from_formation() -> None:
    town = narrow()
    zones = split_for_groups(town.zones(), 6)
    staff = {s.staff_id: s for s in town.staff}
    first = form_groups(town.staff, zones, 6, seed=1)
    problem = RotationProblem(staff, first, zones, range(1, 5))
    assert reachable_k(problem, 1) == 2
    with pytest.raises(RotationInfeasible):
        plan_campaign(problem, 3, seed=1)

    formed = form_for_k(town.staff, zones, 6, 1, 4, 3)
    assert formed.k == 3 and formed.draw >= 1
    assert formed.groups == form_groups(town.staff, zones, 6, draw_seed(1, formed.draw))
    plan = plan_campaign(RotationProblem(staff, formed.groups, zones, range(1, 5)), 3, seed=1)
    assert plan.no_repeat_within == 3
    for r in plan.rounds:
        assert all(
            c.held for c in check_round(r.round_no, plan.rounds, zones, formed.groups, staff, 3)
        )
    # The default (no K asked) aims at the largest K any draw reaches: the same groups.
    assert form_for_k(town.staff, zones, 6, 1, 4, None).groups == formed.groups
    # And again from scratch: the same draw.
    assert form_for_k(town.staff, zones, 6, 1, 4, 3) == formed


def test_a_k_no_draw_reaches_names_the_best_draw() -> None:
    town = narrow()
    zones = split_for_groups(town.zones(), 6)
    with pytest.raises(RotationInfeasible) as caught:
        form_for_k(town.staff, zones, 6, 1, 6, 5, draws=2, budget=0.3)
    cause = caught.value.causes[0]
    assert cause.rule == "k_not_reached"
    best = cause.params["best"]
    assert isinstance(best, int) and 1 <= best < 5
    text = rendered(cause, "zh")
    assert "试了2次抽签" in text and f"K={best}" in text and "种子" in text
    # Then what blocks K = 5 with that draw, by name.
    assert len(caught.value.causes) >= 2
