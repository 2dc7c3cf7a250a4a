"""Figures arithmetic and the calibration statistic, without infrastructure."""

from __future__ import annotations

import math

import pytest

from crosscheck_contracts.events import HazardFound, InspectionCompleted
from crosscheck_ledgers.domain.calibration import Visit, calibrate, poisson_cdf
from crosscheck_ledgers.domain.figures import Figures
from crosscheck_scenarios.ledgers import START, generate


def test_the_reference_rate_is_97_percent() -> None:
    f = Figures("total", "合计", 68, 136, 164, 159, 5, 3)
    assert f.open == 5
    assert f.rectification_percent == 97
    assert f.rectification_rate == pytest.approx(159 / 164)


def test_no_hazards_is_no_rate_rather_than_zero_or_full() -> None:
    assert Figures("x", "x", 1, 1, 0, 0, 0, 0).rectification_percent is None


@pytest.mark.parametrize(("verified", "percent"), [(1, 1), (199, 100), (197, 99)])
def test_percent_rounds_half_up(verified: int, percent: int) -> None:
    hazards = 200 if verified > 1 else 100
    assert Figures("x", "x", 1, 1, hazards, verified, 0, 0).rectification_percent == percent


def test_poisson_cdf_matches_closed_forms() -> None:
    assert poisson_cdf(0, 3.0) == pytest.approx(math.exp(-3.0))
    assert poisson_cdf(1, 2.0) == pytest.approx(3 * math.exp(-2.0))
    assert poisson_cdf(500, 20.0) == pytest.approx(1.0)


def _visits(seed: int, lenient: int | None) -> tuple[list[Visit], list[str]]:
    s = generate(seed, rounds=4, hazards=420, lenient_group=lenient)
    items: dict[str, set[str]] = {}
    for p in s.events:
        if isinstance(p.event, HazardFound):
            items.setdefault(p.event.inspection_id, set()).add(p.event.checklist_item_id)
    visits = [
        Visit(
            e.inspection_id,
            e.site_id,
            e.group_id,
            e.inspected_at,
            len(e.hazard_ids),
            frozenset(items.get(e.inspection_id, ())),
        )
        for e in (p.event for p in s.events)
        if isinstance(e, InspectionCompleted)
    ]
    return visits, s.group_ids


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_lenient_group_is_flagged_and_no_other(seed: int) -> None:
    visits, groups = _visits(seed, lenient=2)
    result = calibrate(visits)
    assert [g.group_id for g in result.groups if g.flagged] == [groups[2]]
    lenient = next(g for g in result.groups if g.group_id == groups[2])
    assert lenient.p_value is not None and lenient.p_value < result.threshold
    assert lenient.ratio is not None and lenient.ratio < 0.5


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_without_leniency_nobody_is_flagged(seed: int) -> None:
    visits, _ = _visits(seed, lenient=None)
    assert not [g.group_id for g in calibrate(visits).groups if g.flagged]


def test_a_later_group_finding_what_the_visit_before_missed_is_listed() -> None:
    visits = [
        Visit("i1", "s1", "g1", START, 0, frozenset()),
        Visit("i2", "s1", "g2", START.replace(month=5), 2, frozenset({"fire.1", "gas.1"})),
        Visit("i3", "s2", "g1", START, 1, frozenset({"fire.1"})),
        Visit("i4", "s2", "g2", START.replace(month=5), 1, frozenset({"fire.1"})),
    ]
    result = calibrate(visits)
    assert [(m.site_id, m.earlier_group_id, m.items) for m in result.missed] == [
        ("s1", "g1", ("fire.1", "gas.1"))
    ]
    assert {g.group_id: g.missed_later for g in result.groups} == {"g1": 2, "g2": 0}


def test_places_seen_by_one_group_only_are_not_comparable() -> None:
    visits = [Visit("i1", "s1", "g1", START, 0), Visit("i2", "s2", "g2", START, 5)]
    assert all(g.comparable_visits == 0 and not g.flagged for g in calibrate(visits).groups)
