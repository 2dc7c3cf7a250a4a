"""Risk-aware rounds: when round r+1 is planned, the zones are weighed by what rounds
1..r found there, and the riskiest zones go to the strongest groups (the most members),
as a secondary objective among plans equally good on every rule and on workload: it
never breaks a rule nor loosens the balance. The weight of a zone, and why:

- each hazard still open counts 1 (it needs re-verification on site);
- a major hazard (重大隐患) counts 3 more (reported upwards, the most harm);
- an overdue rectification counts 2 more (the responsible party is not acting);
- hazard density: the weight is per 10 places of the zone, rounded up, so a large zone
  with a few findings does not outweigh a small one full of them.

A group seen as lenient in a zone never returns to it next round anyway (the no-repeat
rule), so a zone's next group is always a different one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crosscheck_rotation.domain.model import Zone

OPEN, MAJOR, OVERDUE = 1, 3, 2


@dataclass(frozen=True)
class Finding:
    """A hazard found in a round, as the hazards and notify topics told this service."""

    site_id: str
    round_no: int
    major: bool
    closed: bool
    overdue: bool


@dataclass(frozen=True)
class ZoneRisk:
    zone_id: str
    weight: int
    open: int
    major: int
    overdue: int
    places: int


def zone_risk(findings: Sequence[Finding], zones: Sequence[Zone], before: int) -> list[ZoneRisk]:
    """Each zone's weight from the findings of rounds before `before`; zones with none
    are left out."""
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
    out = []
    for z in zones:
        if z.zone_id not in tally:
            continue
        n_open, n_major, n_overdue = tally[z.zone_id]
        raw = OPEN * n_open + MAJOR * n_major + OVERDUE * n_overdue
        weight = -(-raw * 10 // max(1, z.size))
        out.append(ZoneRisk(z.zone_id, weight, n_open, n_major, n_overdue, z.size))
    return out


def weights(risks: Sequence[ZoneRisk]) -> Mapping[str, int]:
    return {r.zone_id: r.weight for r in risks}
