"""Calibration (以查代训): is a group's find rate anomalously low on comparable places?

Pure (no I/O), shared by the ledgers (the calibration view) and the rotation (a zone a
flagged group inspected weighs more when the next round is planned), so that both
flag the same groups from the same visits.

Groups rotate, so the same places are seen by different groups. For a group g, a visit
is *comparable* when other groups also inspected that place. The others' find rate at
that place (their hazards per visit there) gives the number of hazards g would be
expected to report on that visit; summed over g's comparable visits this is E, and g
reported O. Under "g inspects like the others", O is approximately Poisson(E), so the
statistic is the one-sided exact Poisson test p = P(X ≤ O | X ~ Poisson(E)), reported
with z = (O − E) / √E. A group is flagged when p < α / k (α = 0.05, Bonferroni over the
k groups tested): with eight groups, only a shortfall this unlikely by chance is flagged.

Also: places where a later group found hazards that the visit just before it, by another
group, did not report (same checklist item not reported then, not a recurrence of a
closed hazard). A hazard may of course have appeared in between: these are places to
look at, not proof, and they are counted against the earlier group.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

ALPHA = 0.05
STATISTIC = "one-sided exact Poisson test of reported vs expected hazards, Bonferroni-corrected"


@dataclass(frozen=True)
class Visit:
    inspection_id: str
    site_id: str
    group_id: str
    at: datetime
    hazards: int
    items: frozenset[str] = frozenset()
    """Checklist items reported as new hazards (recurrences excluded)."""
    presence_flagged: bool = False
    """Its evidence did not show the group at the place that day (far, old, no position)."""


@dataclass(frozen=True)
class GroupCalibration:
    group_id: str
    visits: int
    hazards: int
    comparable_visits: int
    observed: int
    expected: float
    ratio: float | None
    z: float | None
    p_value: float | None
    flagged: bool
    missed_later: int = 0
    """Hazards a later group found at places right after this group's visit."""
    presence_flagged: int = 0
    """Visits whose evidence did not show the group at the place that day: read beside a
    low find rate, a sign of inspections not made on site."""


@dataclass(frozen=True)
class Missed:
    site_id: str
    earlier_inspection_id: str
    earlier_group_id: str
    earlier_at: datetime
    later_inspection_id: str
    later_group_id: str
    later_at: datetime
    items: tuple[str, ...]


@dataclass(frozen=True)
class Calibration:
    groups: list[GroupCalibration]
    missed: list[Missed]
    threshold: float
    statistic: str = STATISTIC
    alpha: float = ALPHA
    notes: list[str] = field(default_factory=list)


def poisson_cdf(observed: int, mean: float) -> float:
    """P(X ≤ observed) for X ~ Poisson(mean), summed in log space (no overflow)."""
    if mean <= 0:
        return 1.0
    total = 0.0
    log_mean = math.log(mean)
    for k in range(observed + 1):
        total += math.exp(k * log_mean - mean - math.lgamma(k + 1))
    return min(total, 1.0)


def calibrate(visits: Sequence[Visit], alpha: float = ALPHA) -> Calibration:
    by_site: dict[str, list[Visit]] = defaultdict(list)
    for visit in visits:
        by_site[visit.site_id].append(visit)
    groups = sorted({v.group_id for v in visits})
    threshold = alpha / max(len(groups), 1)
    missed = _missed(by_site)
    missed_by_group: dict[str, int] = defaultdict(int)
    for m in missed:
        missed_by_group[m.earlier_group_id] += len(m.items)
    rows = []
    for g in groups:
        own = [v for v in visits if v.group_id == g]
        observed, expected, comparable = 0, 0.0, 0
        for visit in own:
            others = [o for o in by_site[visit.site_id] if o.group_id != g]
            if not others:
                continue
            comparable += 1
            observed += visit.hazards
            expected += sum(o.hazards for o in others) / len(others)
        p = poisson_cdf(observed, expected) if expected > 0 else None
        rows.append(
            GroupCalibration(
                group_id=g,
                visits=len(own),
                hazards=sum(v.hazards for v in own),
                comparable_visits=comparable,
                observed=observed,
                expected=round(expected, 3),
                ratio=round(observed / expected, 3) if expected > 0 else None,
                z=round((observed - expected) / math.sqrt(expected), 3) if expected > 0 else None,
                p_value=p,
                flagged=p is not None and p < threshold,
                missed_later=missed_by_group[g],
                presence_flagged=sum(1 for v in own if v.presence_flagged),
            )
        )
    return Calibration(groups=rows, missed=missed, threshold=threshold, alpha=alpha)


def _missed(by_site: dict[str, list[Visit]]) -> list[Missed]:
    found = []
    for site, site_visits in sorted(by_site.items()):
        ordered = sorted(site_visits, key=lambda v: (v.at, v.inspection_id))
        for earlier, later in itertools.pairwise(ordered):
            if earlier.group_id == later.group_id:
                continue
            new_items = tuple(sorted(later.items - earlier.items))
            if new_items:
                found.append(
                    Missed(
                        site_id=site,
                        earlier_inspection_id=earlier.inspection_id,
                        earlier_group_id=earlier.group_id,
                        earlier_at=earlier.at,
                        later_inspection_id=later.inspection_id,
                        later_group_id=later.group_id,
                        later_at=later.at,
                        items=new_items,
                    )
                )
    return found
