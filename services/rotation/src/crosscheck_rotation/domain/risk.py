"""Risk-aware rounds: when round r+1 is planned, the zones are weighed by what rounds
1..r found there, and the riskiest zones go to the strongest groups (the most members),
as a secondary objective among plans equally good on every rule and on workload: it
never breaks a rule nor loosens the balance. The weight of a zone, and why:

- each hazard still open counts 1 (it needs re-verification on site);
- a major hazard (重大隐患) counts 3 more (reported upwards, the most harm);
- an overdue rectification counts 2 more (the responsible party is not acting);
- an inspection whose evidence did not show the group at the place that day (a
  presence flag: far from the place, taken before the step, no position) counts 1
  (what it reported may not have been seen on site);
- a group the calibration flags as lenient (its find rate on places others also
  inspected is anomalously low: `crosscheck_platform.calibration`, the statistic of
  the ledgers' calibration view) counts 2 for each zone it inspected (what it missed
  is still there);
- hazard density: the weight is per 10 places of the zone, rounded up, so a large zone
  with a few findings does not outweigh a small one full of them.

A group never returns to a zone it inspected in the round before (the no-repeat rule,
K >= 1), so a lenient group's zones always get another group next round; the weight
sends them a strong one. `ZoneRisk` carries every part, so the plan can say why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from crosscheck_platform.calibration import Visit, calibrate
from crosscheck_rotation.domain.model import Zone

OPEN, MAJOR, OVERDUE, PRESENCE, LENIENT = 1, 3, 2, 1, 2


@dataclass(frozen=True)
class Finding:
    """A hazard found in a round, as the hazards and notify topics told this service."""

    site_id: str
    round_no: int
    major: bool
    closed: bool
    overdue: bool


@dataclass(frozen=True)
class Visited:
    """An inspection of the campaign, as the hazards topic told this service."""

    inspection_id: str
    site_id: str
    round_no: int
    group_id: str
    at: datetime
    hazards: int
    flags: frozenset[str] = frozenset()
    """Presence flags of its evidence (far_from_place, taken_before_step, no_position)."""


@dataclass(frozen=True)
class ZoneRisk:
    zone_id: str
    weight: int
    open: int
    major: int
    overdue: int
    places: int
    presence_flagged: int = 0
    """Inspections in the zone whose evidence did not show the group at the place."""
    flags: Mapping[str, int] = field(default_factory=dict)
    """Of those, how many carried each presence flag."""
    lenient_groups: tuple[str, ...] = ()
    """Groups the calibration flags as lenient that inspected the zone."""
    raw: int = 0
    """The points before density: open + 3 x major + 2 x overdue + flagged + 2 x lenient."""


def lenient_groups(visits: Sequence[Visited], before: int) -> frozenset[str]:
    """The groups the calibration flags on the inspections of rounds before `before`."""
    seen = [
        Visit(
            v.inspection_id, v.site_id, v.group_id, v.at, v.hazards, presence_flagged=bool(v.flags)
        )
        for v in visits
        if v.round_no < before
    ]
    return frozenset(g.group_id for g in calibrate(seen).groups if g.flagged)


def zone_risk(
    findings: Sequence[Finding],
    zones: Sequence[Zone],
    before: int,
    visits: Sequence[Visited] = (),
) -> list[ZoneRisk]:
    """Each zone's weight from the findings and inspections of rounds before `before`;
    zones with nothing are left out."""
    zone_of = {s: z for z in zones for s in z.site_ids}
    tally: dict[str, list[int]] = {}
    for f in findings:
        zone = zone_of.get(f.site_id)
        if zone is None or f.round_no >= before or f.closed:
            continue
        t = tally.setdefault(zone.zone_id, [0, 0, 0])
        t[0] += 1
        t[1] += f.major
        t[2] += f.overdue
    lenient = lenient_groups(visits, before)
    flagged: dict[str, dict[str, int]] = {}
    flagged_visits: dict[str, int] = {}
    by_lenient: dict[str, set[str]] = {}
    for v in visits:
        zone = zone_of.get(v.site_id)
        if zone is None or v.round_no >= before:
            continue
        if v.flags:
            flagged_visits[zone.zone_id] = flagged_visits.get(zone.zone_id, 0) + 1
            counts = flagged.setdefault(zone.zone_id, {})
            for flag in v.flags:
                counts[flag] = counts.get(flag, 0) + 1
        if v.group_id in lenient:
            by_lenient.setdefault(zone.zone_id, set()).add(v.group_id)
    out = []
    for z in zones:
        n_open, n_major, n_overdue = tally.get(z.zone_id, (0, 0, 0))
        n_flagged = flagged_visits.get(z.zone_id, 0)
        groups = tuple(sorted(by_lenient.get(z.zone_id, ())))
        raw = (
            OPEN * n_open
            + MAJOR * n_major
            + OVERDUE * n_overdue
            + PRESENCE * n_flagged
            + LENIENT * len(groups)
        )
        if not raw:
            continue
        weight = -(-raw * 10 // max(1, z.size))
        out.append(
            ZoneRisk(
                z.zone_id,
                weight,
                n_open,
                n_major,
                n_overdue,
                z.size,
                n_flagged,
                dict(sorted(flagged.get(z.zone_id, {}).items())),
                groups,
                raw,
            )
        )
    return out


def weights(risks: Sequence[ZoneRisk]) -> Mapping[str, int]:
    return {r.zone_id: r.weight for r in risks}
